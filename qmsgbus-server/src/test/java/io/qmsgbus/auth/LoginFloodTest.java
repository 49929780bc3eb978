package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Wrong passwords cannot lock everyone out: they are limited before bcrypt runs. */
@Timeout(120)
class LoginFloodTest {

  @TempDir Path dir;

  @Test
  void aFloodOfWrongPasswordsIsLimitedAndTheRightOneStillGetsIn() throws Exception {
    Path users = dir.resolve("users.txt");
    UsersFile.upsert(
        users, "alice", "correct horse", SkillPatterns.parse(">"), SkillPatterns.parse(">"));
    InetAddress other = InetAddress.getByName("127.0.0.2");
    try (BusServer server =
        BusServer.start(ServerConfig.defaults().withPort(0).withUsersFile(users.toString()))) {
      int port = server.port();
      ExecutorService pool = Executors.newFixedThreadPool(50);
      try {
        List<Future<Fixtures.Answer>> flood = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          flood.add(pool.submit(() -> Fixtures.upgrade(port, Fixtures.basic("alice", "wrong"))));
        }
        // while the wrong ones are being answered, the right one from elsewhere gets in
        Fixtures.Answer good =
            Fixtures.upgradeFrom(other, port, "/", Fixtures.basic("alice", "correct horse"));
        assertThat(good.status()).as("right password from a clean address").isEqualTo(101);
        int tooMany = 0;
        int wrong = 0;
        for (Future<Fixtures.Answer> f : flood) {
          Fixtures.Answer a = f.get();
          if (a.status() == 429) {
            tooMany++;
            assertThat(a.header("Retry-After")).matches("[1-9][0-9]*");
          } else {
            assertThat(a.status()).isEqualTo(401);
            wrong++;
          }
        }
        assertThat(wrong).isLessThanOrEqualTo(10);
        assertThat(tooMany).isGreaterThanOrEqualTo(90);
        // the flooding address stays limited, even with the right password
        Fixtures.Answer limited = Fixtures.upgrade(port, Fixtures.basic("alice", "correct horse"));
        assertThat(limited.status()).as("the flooding address, %s", limited.body()).isEqualTo(429);
        // and the right one from a clean address still works
        assertThat(
                Fixtures.upgradeFrom(other, port, "/", Fixtures.basic("alice", "correct horse"))
                    .status())
            .isEqualTo(101);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aUsersLimitAppliesToAddressesThatFailedToo() {
    long[] now = {0};
    LoginThrottle t = new LoginThrottle(100, 3, () -> now[0]);
    InetAddress a = InetAddress.getLoopbackAddress();
    for (int i = 0; i < 3; i++) {
      assertThat(t.tryBegin(a, "bob").allowed()).isTrue();
      t.finished(a, "bob", false);
    }
    assertThat(t.tryBegin(a, "bob").retryAfterSeconds()).isEqualTo(60);
    assertThat(t.tryBegin(a, "carol").allowed()).isTrue();
    now[0] += LoginThrottle.WINDOW_NANOS;
    assertThat(t.tryBegin(a, "bob").allowed()).isTrue();
  }
}
