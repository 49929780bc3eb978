package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** HTTP Basic against the bcrypt users file, over real sockets. */
@Timeout(60)
class BasicAuthTest {

  @TempDir Path dir;
  private Path users;
  private BusServer server;

  @BeforeEach
  void start() throws Exception {
    users = dir.resolve("users.txt");
    UsersFile.upsert(
        users,
        "alice",
        "correct horse",
        SkillPatterns.parse("logs.*"),
        SkillPatterns.parse("logs.*"));
    server = BusServer.start(ServerConfig.defaults().withPort(0).withUsersFile(users.toString()));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void theFileHoldsHashesNotPasswords() throws Exception {
    String text = Files.readString(users);
    assertThat(text).doesNotContain("correct horse").containsPattern("alice:\\$2[aby]\\$12\\$");
    assertThat(Files.getPosixFilePermissions(users))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
  }

  @Test
  void goodPasswordConnectsWithTheFilesPermissions() throws Exception {
    try (BusClient bus =
        BusClient.builder()
            .uri(server.url())
            .basicAuth("alice", "correct horse")
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      bus.connect();
      bus.register("logs.app").get(10, TimeUnit.SECONDS);
      assertThatThrownBy(() -> bus.register("metrics").get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(BusException.class)
          .hasMessageContaining("not allowed to register for 'metrics'");
      assertThat(server.sessions().values())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.identity().name()).isEqualTo("alice");
                assertThat(s.identity().method()).isEqualTo("basic");
              });
    }
  }

  @Test
  void wrongPasswordAndUnknownUserAre401WithTheSameAnswer() throws Exception {
    Fixtures.Answer wrong = Fixtures.upgrade(server.port(), Fixtures.basic("alice", "wrong"));
    Fixtures.Answer unknown =
        Fixtures.upgrade(server.port(), Fixtures.basic("bob", "correct horse"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(wrong.all("WWW-Authenticate"))
        .containsExactly("Basic realm=\"qmsgbus\", charset=\"UTF-8\"");
    assertThat(wrong.body()).isEqualTo(unknown.body());
    assertThat(Fixtures.upgrade(server.port(), Map.of("Authorization", "Basic !!!")).status())
        .isEqualTo(401);
    assertThat(server.metrics().authFailures.sum()).isEqualTo(3);
    assertThat(server.sessionCount()).isZero();
  }

  @Test
  void tokensAreRefusedWhenOnlyPasswordsAreConfigured() throws Exception {
    assertThat(
            Fixtures.upgrade(
                    server.port(),
                    Fixtures.bearer(Fixtures.token("x", java.util.List.of(), java.util.List.of())))
                .status())
        .isEqualTo(401);
  }

  @Test
  void addedUsersAreSeenWithoutARestart() throws Exception {
    assertThat(Fixtures.upgrade(server.port(), Fixtures.basic("carol", "s3cret!")).status())
        .isEqualTo(401);
    UsersFile.upsert(users, "carol", "s3cret!", SkillPatterns.ALL, null);
    // the server looks at the file's time and size at most once a second
    await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                Fixtures.upgrade(server.port(), Fixtures.basic("carol", "s3cret!")).status()
                    == 101);
    // alice's entry survived the update
    assertThat(Fixtures.upgrade(server.port(), Fixtures.basic("alice", "correct horse")).status())
        .isEqualTo(101);
  }

  @Test
  void upsertKeepsPatternsUnlessGivenAndRejectsBadInput() throws Exception {
    UsersFile.upsert(users, "alice", "new password", null, null);
    UsersFile f = UsersFile.load(users);
    Identity id = f.authenticate("alice", "new password");
    assertThat(id.publish()).isEqualTo(SkillPatterns.parse("logs.*"));
    assertThatThrownBy(() -> f.authenticate("alice", "correct horse"))
        .isInstanceOf(AuthException.class);
    assertThatThrownBy(() -> UsersFile.upsert(users, "a:b", "pw", null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UsersFile.upsert(users, "dave", "x".repeat(73), null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("72");
    Files.writeString(dir.resolve("bad.txt"), "eve:plaintext:*:*\n");
    assertThatThrownBy(() -> UsersFile.load(dir.resolve("bad.txt")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 1")
        .hasMessageContaining("not a bcrypt hash");
  }
}
