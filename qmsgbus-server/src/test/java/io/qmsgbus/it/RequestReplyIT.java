package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests, "no receivers", and private inboxes over real sockets. */
class RequestReplyIT {

  private BusServer server;
  private final List<JdkSocket> sockets = new ArrayList<>();

  @BeforeEach
  void start() {
    server = BusServer.start(ServerConfig.defaults().withPort(0));
  }

  @AfterEach
  void stop() {
    sockets.forEach(JdkSocket::close);
    server.close();
  }

  private JdkSocket client() {
    JdkSocket s = JdkSocket.open(server.port(), "/");
    sockets.add(s);
    return s;
  }

  private static String inbox(JdkSocket c) throws Exception {
    c.text("{\"inbox\":true,\"id\":\"i\"}");
    String r = c.next();
    assertThat(r).matches("\\{\"id\":\"i\",\"ok\":true,\"inbox\":\"_inbox\\.[a-z2-7]{16}\"}");
    return r.replaceAll("^.*\"inbox\":\"([^\"]+)\".*$", "$1");
  }

  @Test
  void aRequestNobodyReceivesIsAnsweredAtOnce() throws Exception {
    JdkSocket c = client();
    c.text("{\"skill\":\"svc.time\",\"reply\":\"x.y\",\"id\":7}");
    assertThat(c.next())
        .isEqualTo("{\"id\":7,\"ok\":false,\"error\":\"no receivers for 'svc.time'\"}");
    // without an id, or without reply, it is a plain packet: no word
    c.text("{\"skill\":\"svc.time\",\"reply\":\"x.y\"}");
    c.text("{\"skill\":\"svc.time\",\"id\":8}");
    c.text("{\"register\":\"zz\",\"id\":\"sync\"}");
    assertThat(c.next()).isEqualTo("{\"id\":\"sync\",\"ok\":true}");
  }

  @Test
  void aRequestGoesToTheResponderAndTheAnswerToTheRequestersInbox() throws Exception {
    JdkSocket responder = client();
    responder.text("{\"register\":\"svc.time\",\"fastpush\":true,\"id\":1}");
    assertThat(responder.next()).isEqualTo("{\"id\":1,\"ok\":true}");
    JdkSocket requester = client();
    String box = inbox(requester);
    requester.text("{\"fastpush\":true}");
    String request = "{\"skill\":\"svc.time\",\"reply\":\"" + box + "\",\"id\":9,\"q\":1}";
    requester.text(request);
    assertThat(responder.next()).isEqualTo("bin:" + request);
    responder.text("{\"skill\":\"" + box + "\",\"answer\":42}"); // anyone may publish to it
    assertThat(requester.next()).isEqualTo("bin:{\"skill\":\"" + box + "\",\"answer\":42}");
    // asking again gives the same inbox
    assertThat(inbox(requester)).isEqualTo(box);
  }

  @Test
  void anInboxIsPrivate() throws Exception {
    JdkSocket owner = client();
    String box = inbox(owner);
    owner.text("{\"fastpush\":true}");
    JdkSocket snoop = client();
    snoop.text("{\"register\":\"" + box + "\",\"id\":1}");
    assertThat(snoop.next())
        .startsWith("{\"id\":1,\"ok\":false,\"error\":\"'" + box + "': _inbox. skills are private");
    snoop.text("{\"register\":\"" + box + "\",\"group\":\"g\",\"id\":4}"); // nor as a group
    assertThat(snoop.next())
        .startsWith("{\"id\":4,\"ok\":false,\"error\":\"'" + box + "': _inbox. skills are private");
    snoop.text("{\"register\":\"_inbox.*\",\"id\":3}");
    assertThat(snoop.next()).startsWith("{\"id\":3,\"ok\":false,\"error\":\"'_inbox.*': ");
    snoop.text("{\"register\":\">\",\"fastpush\":true,\"id\":2}");
    assertThat(snoop.next()).isEqualTo("{\"id\":2,\"ok\":true}");
    JdkSocket pub = client();
    pub.text("{\"skill\":\"" + box + "\",\"n\":1}");
    pub.text("{\"skill\":\"other\",\"n\":2}");
    assertThat(owner.next()).isEqualTo("bin:{\"skill\":\"" + box + "\",\"n\":1}");
    assertThat(snoop.next()).isEqualTo("bin:{\"skill\":\"other\",\"n\":2}"); // not the inbox
    assertThat(snoop.poll(100)).isNull();
  }

  @Test
  void aBadReplyIsRefused() throws Exception {
    JdkSocket c = client();
    c.text("{\"skill\":\"s\",\"reply\":\"a.*\",\"id\":1}");
    assertThat(c.next()).startsWith("{\"id\":1,\"ok\":false,\"error\":\"reply: ");
    c.text("{\"skill\":\"s\",\"reply\":5,\"id\":2}");
    assertThat(c.next())
        .isEqualTo("{\"id\":2,\"ok\":false,\"error\":\"reply must be a string (a skill name)\"}");
  }
}
