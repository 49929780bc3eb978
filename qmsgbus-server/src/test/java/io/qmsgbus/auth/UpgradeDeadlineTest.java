package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.transport.BusServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Slowloris: an upgrade trickled byte by byte is closed at its overall deadline. */
@Timeout(60)
class UpgradeDeadlineTest {

  @Test
  void aTrickledUpgradeIsClosedAtTheDeadlineAndACompletedOneIsNot() throws Exception {
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withIdleTimeoutSeconds(30)
                .with("upgradeTimeoutSeconds", "1"))) {
      byte[] request =
          ("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  + "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
              .getBytes(StandardCharsets.US_ASCII);
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
        s.setSoTimeout(100);
        OutputStream out = s.getOutputStream();
        InputStream in = s.getInputStream();
        AtomicBoolean closed = new AtomicBoolean();
        int[] sent = {0};
        long start = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(
                () -> {
                  try {
                    if (sent[0] < request.length) {
                      out.write(
                          request[sent[0]++]); // one byte at a time, well inside the idle time
                      out.flush();
                    }
                    if (in.read() < 0) {
                      closed.set(true);
                    }
                  } catch (SocketTimeoutException stillOpen) {
                    return false;
                  } catch (java.io.IOException reset) {
                    closed.set(true);
                  }
                  return closed.get();
                });
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(sent[0]).isLessThan(request.length);
        assertThat(tookMillis).isBetween(800L, 5_000L);
      }
      // a connection that finished its upgrade is not closed by the deadline
      try (RawWebSocket p = RawWebSocket.open(server.port())) {
        await()
            .during(Duration.ofMillis(2_000))
            .atMost(Duration.ofSeconds(5))
            .until(() -> server.sessionCount() == 1 && !p.closed().isDone());
        assertThat(p.control("{\"register\":\"a.b\",\"id\":1}"))
            .isEqualTo("{\"id\":1,\"ok\":true}");
      }
    }
  }
}
