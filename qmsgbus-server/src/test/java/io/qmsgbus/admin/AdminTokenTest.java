package io.qmsgbus.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin login: a non-loopback admin bind needs adminTokenFile, and then every path but health.
 */
@Timeout(60)
class AdminTokenTest {

  private static final String TOKEN = "admin-token-0123456789abcdef";

  @TempDir Path dir;

  @Test
  void aNonLoopbackAdminBindWithoutATokenRefusesToStart() {
    try (BusServer bus = BusServer.start(ServerConfig.defaults().withPort(0))) {
      assertThatThrownBy(() -> AdminServer.start(bus, "0.0.0.0", 0))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("adminTokenFile");
    }
  }

  @Test
  void withATokenEveryPathButHealthNeedsIt() throws Exception {
    Path file = dir.resolve("admin.token");
    Files.writeString(file, TOKEN + "\n");
    try (BusServer bus =
            BusServer.start(
                ServerConfig.defaults().withPort(0).with("adminTokenFile", file.toString()));
        AdminServer admin = AdminServer.start(bus, "0.0.0.0", 0)) {
      AdminHttp http = new AdminHttp(admin.port());
      String base = "http://127.0.0.1:" + admin.port();
      assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
      assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
      for (String path : new String[] {"/api/clients", "/api/skills", "/metrics", "/", "/x"}) {
        HttpResponse<String> r = http.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(401);
        assertThat(r.headers().firstValue("www-authenticate"))
            .contains("Bearer realm=\"qmsgbus-admin\"");
      }
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/api/clients"))
                          .header("Authorization", "Bearer wrong-" + TOKEN))
                  .statusCode())
          .isEqualTo(401);
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/api/clients"))
                          .header("Authorization", "Bearer " + TOKEN))
                  .statusCode())
          .isEqualTo(200);
      assertThat(http.get("/?token=nope").statusCode()).isEqualTo(401);
      // the console: the token once in the address, then a cookie
      HttpResponse<String> login = http.get("/?token=" + TOKEN);
      assertThat(login.statusCode()).isEqualTo(303);
      assertThat(login.headers().firstValue("location")).contains("/");
      String cookie = login.headers().firstValue("set-cookie").orElseThrow();
      assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
      String pair = cookie.substring(0, cookie.indexOf(';'));
      for (String path : new String[] {"/", "/console.js", "/api/stats", "/api/clients"}) {
        assertThat(
                http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", pair))
                    .statusCode())
            .as(path)
            .isEqualTo(200);
      }
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create(base + "/api/stats"))
                          .header("Cookie", AdminToken.COOKIE + "=bad"))
                  .statusCode())
          .isEqualTo(401);
    }
  }

  @Test
  void aShortOrMissingTokenFileIsAStartupError() throws Exception {
    Path file = dir.resolve("short");
    Files.writeString(file, "abc");
    assertThatThrownBy(() -> AdminServer.checkExposure("0.0.0.0", file.toString()))
        .hasMessageContaining("adminTokenFile");
    assertThatThrownBy(() -> AdminServer.checkExposure("0.0.0.0", dir.resolve("none").toString()))
        .hasMessageContaining("adminTokenFile");
  }
}
