package io.qmsgbus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safe by default: loopback, and no exposed server without authentication unless asked. */
class SafeDefaultsTest {

  @TempDir Path dir;

  @Test
  void defaultsAreLoopbackWithoutAuthOrTls() {
    ServerConfig d = ServerConfig.defaults();
    assertThat(d.host()).isEqualTo("127.0.0.1");
    assertThat(d.authEnabled()).isFalse();
    assertThat(d.tlsEnabled()).isFalse();
    assertThat(d.allowAnonymous()).isFalse();
    assertThat(d.asMap())
        .containsEntry("allowAnonymous", "false")
        .containsEntry("allowedOrigins", "")
        .containsKeys("authJwtSecretFile", "authUsersFile", "tlsCert", "tlsKey");
    assertThat(ServerConfig.KEYS).containsAll(d.asMap().keySet());
  }

  @Test
  void anExposedAddressWithoutAuthRefusesToStartAndSaysHowToConfigureAuth() {
    // refused before anything is bound
    assertThatThrownBy(
            () -> BusServer.start(ServerConfig.defaults().withHost("0.0.0.0").withPort(0)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refusing to listen on 0.0.0.0 without authentication")
        .hasMessageContaining("--jwt-secret-file")
        .hasMessageContaining("authUsersFile")
        .hasMessageContaining("--allow-anonymous");
    assertThatThrownBy(() -> BusServer.checkExposure(ServerConfig.defaults().withHost("::")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void allowAnonymousOrAuthLetsItStart() throws Exception {
    assertThatCode(
            () ->
                BusServer.checkExposure(
                    ServerConfig.defaults().withHost("0.0.0.0").withAllowAnonymous(true)))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                BusServer.checkExposure(
                    ServerConfig.defaults()
                        .withHost("0.0.0.0")
                        .withJwtSecretFile(Fixtures.secretFile(dir).toString())))
        .doesNotThrowAnyException();
    assertThatCode(() -> BusServer.checkExposure(ServerConfig.defaults().withHost("localhost")))
        .doesNotThrowAnyException();
    assertThatCode(() -> BusServer.checkExposure(ServerConfig.defaults().withHost("::1")))
        .doesNotThrowAnyException();
  }

  @Test
  void configKeysRoundTripThroughAFile() throws Exception {
    Path secret = Fixtures.secretFile(dir);
    Path file = dir.resolve("qmsgbus.properties");
    java.nio.file.Files.writeString(
        file,
        "authJwtSecretFile = "
            + secret
            + "\nauthJwtAudience = bus\nallowedOrigins = https://a.example\nallowAnonymous = true\n");
    ServerConfig c = ServerConfig.defaults().withFile(file);
    assertThat(c.authJwtSecretFile()).isEqualTo(secret.toString());
    assertThat(c.authJwtAudience()).isEqualTo("bus");
    assertThat(c.allowedOrigins()).isEqualTo("https://a.example");
    assertThat(c.allowAnonymous()).isTrue();
    assertThat(c.authEnabled()).isTrue();
    assertThatThrownBy(() -> ServerConfig.defaults().with("allowAnonymous", "yes"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ServerConfig.defaults().with("authJwtAudience", "bus"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("need a JWT key");
    // the secret itself is never part of the config, only its file's name
    assertThat(c.toString()).doesNotContain(Fixtures.SECRET);
  }
}
