package io.qmsgbus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The settings table: it and {@link ServerConfig} agree, it parses strictly, it is the README's.
 */
class SettingsTest {

  static final String BEGIN =
      "<!-- settings table: generated from Settings.ALL by SettingsTest -->";
  static final String END = "<!-- end of settings table -->";

  @Test
  void everyComponentHasARowAndEveryRowAComponent() {
    assertThat(Arrays.stream(ServerConfig.class.getRecordComponents()).map(c -> c.getName()))
        .containsExactlyInAnyOrderElementsOf(Settings.keys());
  }

  @Test
  void defaultsAreTheTablesDefaults() {
    Map<String, String> m = ServerConfig.defaults().asMap();
    for (Setting s : Settings.ALL) {
      assertThat(m.get(s.key())).as(s.key()).isEqualTo(s.defaultValue());
    }
  }

  @Test
  void everyValueRoundTripsThroughText() {
    ServerConfig c =
        ServerConfig.defaults()
            .withAll(
                Map.of(
                    "port", "9000",
                    "maxQueueBytes", "12345678901",
                    "overflowPolicy", "DISCONNECT",
                    "allowAnonymous", "TRUE",
                    "fsync", "interval",
                    "allowedOrigins", "  https://a.example  "));
    assertThat(c.port()).isEqualTo(9000);
    assertThat(c.maxQueueBytes()).isEqualTo(12_345_678_901L);
    assertThat(c.overflowPolicy()).isEqualTo(OverflowPolicy.DISCONNECT);
    assertThat(c.allowAnonymous()).isTrue();
    assertThat(c.fsync()).isEqualTo("interval");
    assertThat(c.allowedOrigins()).isEqualTo("https://a.example");
    assertThat(ServerConfig.defaults().withAll(c.asMap())).isEqualTo(c);
  }

  @Test
  void boundsKindsAndKeysAreCheckedWithMessagesThatSayWhat() {
    ServerConfig d = ServerConfig.defaults();
    assertThatThrownBy(() -> d.with("port", "70000"))
        .hasMessage("setting 'port' must be between 0 and 65535, was 70000");
    assertThatThrownBy(() -> d.with("maxQueuePackets", "many"))
        .hasMessage("setting 'maxQueuePackets': not a number: 'many'");
    assertThatThrownBy(() -> d.with("maxFrameBytes", "99999999999"))
        .hasMessageContaining("must be between 64 and 2147483647");
    assertThatThrownBy(() -> d.with("allowAnonymous", "yes"))
        .hasMessage("setting 'allowAnonymous': not true or false: 'yes'");
    assertThatThrownBy(() -> d.with("fsync", "sometimes"))
        .hasMessage("setting 'fsync' must be always, interval or never, was 'sometimes'");
    assertThatThrownBy(() -> d.with("maxQueuePacket", "1"))
        .hasMessageStartingWith("unknown setting 'maxQueuePacket'; known settings: host, port");
    assertThatThrownBy(() -> d.with("sessionExpirySeconds", "900000"))
        .hasMessageContaining("must not exceed maxSessionExpirySeconds");
    assertThatThrownBy(() -> d.with("tlsCert", "c.pem")).hasMessageContaining("go together");
  }

  @Test
  void sizesShowTheirUnit() {
    assertThat(Settings.named("maxQueueBytes").defaultShown()).isEqualTo("67108864 (64 MiB)");
    assertThat(Settings.named("maxTotalQueuedBytes").defaultShown())
        .isEqualTo("1073741824 (1 GiB)");
    assertThat(Settings.named("dataDir").defaultShown()).isEqualTo("empty");
    assertThat(Settings.named("port").defaultShown()).isEqualTo("8081");
  }

  @Test
  void helpLinesNameEverySettingAndStayWithinTheWidth() {
    var lines = Settings.helpLines(100);
    for (Setting s : Settings.ALL) {
      assertThat(lines).anyMatch(l -> l.startsWith("  " + s.key() + " = "));
    }
    assertThat(lines).allMatch(l -> l.length() <= 100 || !l.strip().contains(" "));
    assertThat(String.join("\n", lines)).doesNotContain("`");
  }

  /**
   * The README's table is this table. Run with {@code -Dqmsgbus.writeReadme=true} to rewrite it
   * after changing a row.
   */
  @Test
  void theReadmeTableIsGeneratedFromTheTable() throws IOException {
    Path readme = Path.of("..", "README.md");
    String text = Files.readString(readme, StandardCharsets.UTF_8);
    int begin = text.indexOf(BEGIN);
    int end = text.indexOf(END);
    assertThat(begin).as("README has the marker " + BEGIN).isNotNegative();
    assertThat(end).as("README has the marker " + END).isGreaterThan(begin);
    String expected = BEGIN + "\n" + Settings.markdownTable() + END;
    String actual = text.substring(begin, end + END.length());
    if (Boolean.getBoolean("qmsgbus.writeReadme") && !actual.equals(expected)) {
      Files.writeString(
          readme,
          text.substring(0, begin) + expected + text.substring(end + END.length()),
          StandardCharsets.UTF_8);
      actual = expected;
    }
    assertThat(actual)
        .as("README's settings table; regenerate with -Dqmsgbus.writeReadme=true")
        .isEqualTo(expected);
  }
}
