package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.client.BusClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The shared --url/--token/--ca-cert mixin: command line first, then QMSGBUS_URL/QMSGBUS_TOKEN. */
class ConnectionOptionsTest {

  @Command(name = "probe")
  static final class Probe {
    @Mixin ConnectionOptions connection;
  }

  private static ConnectionOptions parse(Map<String, String> env, String... args) {
    Probe p = new Probe();
    new CommandLine(p).parseArgs(args);
    p.connection.env = env::get;
    return p.connection;
  }

  @Test
  void defaultsWithoutOptionsOrEnvironment() {
    ConnectionOptions c = parse(Map.of());
    assertThat(c.url()).isEqualTo("ws://127.0.0.1:8081/");
    assertThat(c.urlOrNull()).isNull();
    assertThat(c.explicitUrl()).isNull();
    assertThat(c.token()).isNull();
    assertThat(c.caCert()).isNull();
    assertThat(c.securityGiven()).isFalse();
  }

  @Test
  void theEnvironmentFillsInAbsentOptions() {
    ConnectionOptions c =
        parse(Map.of("QMSGBUS_URL", "wss://bus:8443/", "QMSGBUS_TOKEN", " t0ken\n"));
    assertThat(c.url()).isEqualTo("wss://bus:8443/");
    assertThat(c.urlOrNull()).isEqualTo("wss://bus:8443/");
    assertThat(c.explicitUrl()).isNull();
    assertThat(c.token()).isEqualTo("t0ken");
    assertThat(c.securityGiven()).isFalse(); // the environment is not the command line
  }

  @Test
  void optionsWinOverTheEnvironment() {
    ConnectionOptions c =
        parse(
            Map.of("QMSGBUS_URL", "ws://env:1/", "QMSGBUS_TOKEN", "env-token"),
            "--url",
            "ws://cli:2/",
            "--token",
            "cli-token",
            "--ca-cert",
            "ca.pem");
    assertThat(c.url()).isEqualTo("ws://cli:2/");
    assertThat(c.explicitUrl()).isEqualTo("ws://cli:2/");
    assertThat(c.token()).isEqualTo("cli-token");
    assertThat(c.caCert()).isEqualTo(Path.of("ca.pem"));
    assertThat(c.securityGiven()).isTrue();
  }

  @Test
  void severalUrlsOnTheCommandLineKeepTheirOrder() {
    ConnectionOptions c =
        parse(
            Map.of("QMSGBUS_URL", "ws://env:1/"),
            "--url",
            "ws://a:1/",
            "--url",
            "ws://b:2/,ws://c:3/");
    assertThat(c.urls()).containsExactly("ws://a:1/", "ws://b:2/", "ws://c:3/");
    assertThat(c.explicitUrls()).containsExactly("ws://a:1/", "ws://b:2/", "ws://c:3/");
    assertThat(c.url()).isEqualTo("ws://a:1/");
    assertThat(c.urlOrNull()).isEqualTo("ws://a:1/");
    assertThat(c.explicitUrl()).isEqualTo("ws://a:1/");
  }

  @Test
  void theEnvironmentMayListSeveralUrls() {
    ConnectionOptions c = parse(Map.of("QMSGBUS_URL", " ws://a:1/ , ws://b:2/,,"));
    assertThat(c.urls()).containsExactly("ws://a:1/", "ws://b:2/");
    assertThat(c.urlsOrEmpty()).containsExactly("ws://a:1/", "ws://b:2/");
    assertThat(c.url()).isEqualTo("ws://a:1/");
    assertThat(c.explicitUrls()).isEmpty();
    assertThat(c.explicitUrl()).isNull();
  }

  @Test
  void everyUrlGoesToTheClient() throws Exception {
    ConnectionOptions c = parse(Map.of(), "--url", "ws://a:1/", "--url", "ws://b:2/ws");
    try (BusClient client = c.apply(BusClient.builder()).build()) {
      assertThat(client.uris()).containsExactly(URI.create("ws://a:1/"), URI.create("ws://b:2/ws"));
    }
    try (BusClient client = parse(Map.of()).apply(BusClient.builder()).build()) {
      assertThat(client.uris()).containsExactly(URI.create(ConnectionOptions.DEFAULT_URL));
    }
  }

  @Test
  void blankEnvironmentValuesCountAsAbsent() {
    ConnectionOptions c = parse(Map.of("QMSGBUS_URL", "  ", "QMSGBUS_TOKEN", ""));
    assertThat(c.url()).isEqualTo(ConnectionOptions.DEFAULT_URL);
    assertThat(c.token()).isNull();
  }

  @Test
  void pubSubAndBenchShareTheOptions() {
    CommandLine main = new CommandLine(new Main());
    for (String cmd : new String[] {"pub", "sub", "bench"}) {
      var spec = main.getSubcommands().get(cmd).getCommandSpec();
      assertThat(spec.findOption("--url")).as(cmd).isNotNull();
      assertThat(spec.findOption("--token")).as(cmd).isNotNull();
      assertThat(spec.findOption("--ca-cert")).as(cmd).isNotNull();
    }
  }
}
