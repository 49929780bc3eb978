package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.it.JdkSocket;
import io.qmsgbus.testkit.LeakGuard;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** With auth, a durable session belongs to the identity that made it. */
@ExtendWith(LeakGuard.class)
class SessionOwnershipTest {

  @TempDir Path dir;
  private BusServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anotherIdentityCannotAttachButTheOwnerCan() throws Exception {
    server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()));
    String alice = Fixtures.token("alice", List.of(">"), List.of(">"));
    String mallory = Fixtures.token("mallory", List.of(">"), List.of(">"));
    try (JdkSocket a = JdkSocket.open(server.port(), "/?session=mine", Fixtures.bearer(alice))) {
      a.text("{\"register\":\"s\",\"id\":1}");
      assertThat(a.next()).isEqualTo("{\"id\":1,\"ok\":true}");
      try (JdkSocket m =
          JdkSocket.open(server.port(), "/?session=mine", Fixtures.bearer(mallory))) {
        assertThat(m.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(1008);
        assertThat(m.closeReason.get()).isEqualTo("session 'mine' belongs to another user");
      }
      JdkSocket b = JdkSocket.open(server.port(), "/?session=mine", Fixtures.bearer(alice));
      try (b) {
        assertThat(a.closeCode.get(10, TimeUnit.SECONDS)).isEqualTo(4000); // taken over by alice
        b.text("{\"buffering\":false,\"id\":2}");
        assertThat(b.next()).isEqualTo("{\"id\":2,\"ok\":true}");
      }
    }
  }
}
