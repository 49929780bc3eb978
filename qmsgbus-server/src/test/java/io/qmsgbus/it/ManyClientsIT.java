package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** 1,000 concurrent connections registered to one skill: one packet reaches every one. */
class ManyClientsIT {

  private static final int CLIENTS = 1_000;

  @Test
  void onePacketReachesAThousandReceivers() {
    try (BusServer server = BusServer.start(ServerConfig.defaults().withPort(0))) {
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/");
      AtomicInteger received = new AtomicInteger();
      AtomicInteger replies = new AtomicInteger();
      List<WebSocket> sockets = new ArrayList<>();
      try {
        for (int batch = 0; batch < CLIENTS; batch += 100) {
          List<CompletableFuture<WebSocket>> opening = new ArrayList<>();
          for (int i = 0; i < 100; i++) {
            opening.add(
                http.newWebSocketBuilder()
                    .buildAsync(uri, new Counting(received, replies))
                    .orTimeout(30, TimeUnit.SECONDS));
          }
          for (CompletableFuture<WebSocket> f : opening) {
            WebSocket ws = f.join();
            sockets.add(ws);
            ws.sendText("{\"register\":\"all\",\"id\":1}", true).join();
          }
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> replies.get() == CLIENTS);
        assertThat(server.router().receiverCounts()).containsEntry("all", CLIENTS);

        sockets
            .get(0)
            .sendBinary(ByteBuffer.wrap("{\"skill\":\"all\",\"p\":1}".getBytes()), true)
            .join();
        await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == CLIENTS);
      } finally {
        sockets.forEach(WebSocket::abort);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> server.router().receiverCounts().isEmpty());
      await().atMost(Duration.ofSeconds(30)).until(() -> server.sessionCount() == 0);
    }
  }

  private record Counting(AtomicInteger binary, AtomicInteger text) implements WebSocket.Listener {
    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      if (last) {
        binary.incrementAndGet();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      if (last) {
        text.incrementAndGet();
      }
      ws.request(1);
      return null;
    }
  }
}
