package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.OverflowPolicy;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Delivery receipts over real sockets: acked, dropped, gone, timed out, nobody, not asked. */
class ReceiptsIT {

  private BusServer server;
  private final List<JdkSocket> sockets = new ArrayList<>();

  @AfterEach
  void stop() {
    sockets.forEach(JdkSocket::close);
    if (server != null) {
      server.close();
    }
  }

  private void start(ServerConfig c) {
    server = BusServer.start(c.withPort(0));
  }

  private JdkSocket client() {
    JdkSocket s = JdkSocket.open(server.port(), "/");
    sockets.add(s);
    return s;
  }

  private JdkSocket receiver(String extra) throws Exception {
    JdkSocket r = client();
    r.text("{\"register\":\"r\",\"id\":\"reg\"" + extra + "}");
    assertThat(r.next()).isEqualTo("{\"id\":\"reg\",\"ok\":true}");
    return r;
  }

  private JdkSocket publisher() throws Exception {
    JdkSocket p = client();
    p.text("{\"confirms\":true,\"id\":\"c\"}");
    assertThat(p.next()).isEqualTo("{\"id\":\"c\",\"ok\":true}");
    return p;
  }

  private static String receipt(int id, int n, int acked, int dropped, int gone, String more) {
    return "{\"id\":"
        + id
        + ",\"receipt\":{\"receivers\":"
        + n
        + ",\"acked\":"
        + acked
        + ",\"dropped\":"
        + dropped
        + ",\"gone\":"
        + gone
        + more
        + "}}";
  }

  @Test
  void sentOnceEveryReceiverAckedIt() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket a = receiver("");
    JdkSocket b = receiver("");
    JdkSocket fast = receiver(",\"fastpush\":true");
    JdkSocket p = publisher();
    p.text("{\"skill\":\"r\",\"id\":1,\"receipt\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":1,\"ok\":true}"); // the confirm first
    assertThat(a.next()).startsWith("bin:");
    assertThat(b.next()).startsWith("bin:");
    assertThat(fast.next()).startsWith("bin:");
    a.text("{\"ack\":\"\"}");
    assertThat(p.poll(200)).isNull(); // b has not acked
    b.text("{\"ack\":\"\"}");
    assertThat(p.next()).isEqualTo(receipt(1, 3, 3, 0, 0, ""));
  }

  @Test
  void droppedByAFullQueue() throws Exception {
    start(
        ServerConfig.defaults()
            .withMaxQueuePackets(1)
            .withOverflowPolicy(OverflowPolicy.DROP_NEWEST));
    JdkSocket r = receiver("");
    JdkSocket p = publisher();
    p.text("{\"skill\":\"r\",\"id\":1}"); // in flight
    p.text("{\"skill\":\"r\",\"id\":2}"); // queued
    p.text("{\"skill\":\"r\",\"id\":3,\"receipt\":true}"); // no room: dropped on arrival
    assertThat(p.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":2,\"ok\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":3,\"ok\":true}");
    assertThat(p.next()).isEqualTo(receipt(3, 1, 0, 1, 0, ""));
    assertThat(r.next()).startsWith("bin:");
  }

  @Test
  void goneWhenTheReceiverLeavesWithIt() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket r = receiver("");
    JdkSocket p = publisher();
    p.text("{\"skill\":\"r\",\"id\":1,\"receipt\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    assertThat(r.next()).startsWith("bin:");
    r.drop(); // never acked
    assertThat(p.next()).isEqualTo(receipt(1, 1, 0, 0, 1, ""));
  }

  @Test
  void pendingWhenTheTimeoutComesFirst() throws Exception {
    start(ServerConfig.defaults().with("receiptTimeoutMillis", "300"));
    JdkSocket r = receiver("");
    JdkSocket p = publisher();
    p.text("{\"skill\":\"r\",\"id\":1,\"receipt\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    assertThat(r.next()).startsWith("bin:"); // and it sits on it
    assertThat(p.next()).isEqualTo(receipt(1, 1, 0, 0, 0, ",\"pending\":1"));
    r.text("{\"ack\":\"\"}");
    assertThat(p.poll(200)).isNull(); // settled once
  }

  @Test
  void nobodyAndNotAsked() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket p = publisher();
    p.text("{\"skill\":\"nobody\",\"id\":1,\"receipt\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    assertThat(p.next()).isEqualTo(receipt(1, 0, 0, 0, 0, ""));
    JdkSocket plain = client(); // no confirms: a receipt is not asked for either
    plain.text("{\"skill\":\"nobody\",\"id\":2,\"receipt\":true}");
    plain.text("{\"register\":\"zz\",\"id\":\"sync\"}");
    assertThat(plain.next()).isEqualTo("{\"id\":\"sync\",\"ok\":true}");
  }

  @Test
  void aGroupCountsAsOneReceiverAndItsMemberTells() throws Exception {
    start(ServerConfig.defaults());
    JdkSocket m1 = client();
    m1.text("{\"register\":\"r\",\"group\":\"g\",\"id\":1}");
    assertThat(m1.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket p = publisher();
    p.text("{\"skill\":\"r\",\"id\":5,\"receipt\":true}");
    assertThat(p.next()).isEqualTo("{\"id\":5,\"ok\":true}");
    assertThat(m1.next()).startsWith("bin:");
    m1.text("{\"ack\":\"\"}");
    assertThat(p.next()).isEqualTo(receipt(5, 1, 1, 0, 0, ""));
  }
}
