package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Wildcard registrations over a real socket: the grammar's edges and delivery once. */
class WildcardsIT {

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

  private JdkSocket receiver(String registerJson) throws Exception {
    JdkSocket r = client();
    r.text("{\"register\":" + registerJson + ",\"fastpush\":true,\"id\":\"r\"}");
    assertThat(r.next()).isEqualTo("{\"id\":\"r\",\"ok\":true}");
    return r;
  }

  /** Publishes each skill, then a marker every receiver below wants, and returns what came. */
  private static List<String> got(JdkSocket r, JdkSocket pub, String... skills) throws Exception {
    for (String s : skills) {
      pub.text("{\"skill\":\"" + s + "\"}");
    }
    pub.text("{\"skill\":\"zz.end\"}");
    List<String> got = new ArrayList<>();
    for (String m = r.next(); !m.equals("bin:{\"skill\":\"zz.end\"}"); m = r.next()) {
      got.add(m.replaceAll("^bin:\\{\"skill\":\"(.*)\"}$", "$1"));
    }
    return got;
  }

  @Test
  void starOneTokenGreaterThanTheRestAndOverlapsOnce() throws Exception {
    JdkSocket star = receiver("[\"sensors.*\",\"zz.end\"]");
    JdkSocket rest = receiver("[\"sensors.>\",\"zz.end\"]");
    JdkSocket mid = receiver("[\"a.*.c\",\"zz.end\"]");
    JdkSocket all = receiver("[\">\"]");
    JdkSocket overlap = receiver("[\"sensors.temp\",\"sensors.*\",\"sensors.>\",\"zz.end\"]");
    JdkSocket pub = client();
    String[] skills = {"sensors.temp", "sensors.room1.temp", "sensors", "a.b.c", "a.b.c.d"};
    assertThat(got(star, pub, skills)).containsExactly("sensors.temp");
    assertThat(got(rest, pub)).containsExactly("sensors.temp", "sensors.room1.temp");
    assertThat(got(mid, pub)).containsExactly("a.b.c");
    assertThat(got(all, pub))
        .containsExactly("sensors.temp", "sensors.room1.temp", "sensors", "a.b.c", "a.b.c.d");
    assertThat(got(overlap, pub)).containsExactly("sensors.temp", "sensors.room1.temp");
  }

  @Test
  void aDeregisteredPatternStopsAndTheOthersGoOn() throws Exception {
    JdkSocket r = receiver("[\"x.*\",\"x.>\",\"zz.end\"]");
    JdkSocket pub = client();
    r.text("{\"deregister\":\"x.*\",\"id\":2}");
    assertThat(r.next()).isEqualTo("{\"id\":2,\"ok\":true}");
    assertThat(got(r, pub, "x.y", "x.y.z")).containsExactly("x.y", "x.y.z"); // x.> still
    r.text("{\"deregister\":\"x.>\",\"id\":3}");
    assertThat(r.next()).isEqualTo("{\"id\":3,\"ok\":true}");
    assertThat(got(r, pub, "x.y", "x.y.z")).isEmpty();
  }

  @Test
  void badPatternsAndWildcardSkillsAreRefusedSayingWhy() throws Exception {
    JdkSocket c = client();
    String[][] cases = {
      {"{\"register\":\"a..b\",\"id\":1}", "empty token"},
      {"{\"register\":\".a\",\"id\":1}", "empty token"},
      {"{\"register\":\"a.\",\"id\":1}", "empty token"},
      {"{\"register\":\"a.>.b\",\"id\":1}", "'>' may only be the last token"},
      {"{\"register\":\"a*\",\"id\":1}", "reserved"},
      {"{\"register\":\"a.b>\",\"id\":1}", "reserved"},
      {"{\"skill\":\"a.*\",\"id\":1}", "wildcard, not allowed in a skill name"},
      {"{\"skill\":\">\",\"id\":1}", "wildcard, not allowed in a skill name"},
    };
    for (String[] k : cases) {
      c.text(k[0]);
      String reply = c.next();
      assertThat(reply).as(k[0]).startsWith("{\"id\":1,\"ok\":false,\"error\":").contains(k[1]);
    }
  }
}
