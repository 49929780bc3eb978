package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Failed logins are counted, and logged within a budget. */
@Timeout(60)
class FailedLoginsTest {

  @TempDir Path dir;

  @Test
  void aBurstIsLoggedThenOneASecond() {
    LongAdder failures = new LongAdder();
    LongAdder notLogged = new LongAdder();
    AtomicLong now = new AtomicLong(1_000_000_000L);
    FailedLogins f = new FailedLogins(failures, notLogged, now::get);
    for (int i = 0; i < 25; i++) {
      f.failed("/10.0.0.1:1234", "bearer", "bad signature");
    }
    assertThat(failures.sum()).isEqualTo(25);
    assertThat(notLogged.sum()).isEqualTo(25 - FailedLogins.BURST);
    now.addAndGet(1_000_000_000L); // one second: one more line
    f.failed("/10.0.0.1:1234", "bearer", "bad signature");
    f.failed("/10.0.0.1:1234", "bearer", "bad signature");
    assertThat(notLogged.sum()).isEqualTo(25 - FailedLogins.BURST + 1);
  }

  @Test
  void aFloodOfBadLoginsOverSocketsIsCountedAndMostlyNotLogged() throws Exception {
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withJwtSecretFile(Fixtures.secretFile(dir).toString()))) {
      int n = 60;
      long started = System.nanoTime();
      for (int i = 0; i < n; i++) {
        assertThat(Fixtures.upgrade(server.port(), Fixtures.bearer("garbage-" + i)).status())
            .isEqualTo(401);
      }
      long seconds = (System.nanoTime() - started) / 1_000_000_000L + 1;
      assertThat(server.metrics().authFailures.sum()).isEqualTo(n);
      assertThat(server.metrics().authFailuresNotLogged.sum())
          .isGreaterThanOrEqualTo(
              n - FailedLogins.BURST - (long) (seconds * FailedLogins.PER_SECOND));
      assertThat(server.metrics().authFailuresNotLogged.sum()).isPositive();
      assertThat(Fixtures.upgrade(server.port(), Map.of()).status()).isEqualTo(401);
    }
  }
}
