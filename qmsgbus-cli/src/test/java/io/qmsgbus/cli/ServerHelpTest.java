package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.Setting;
import io.qmsgbus.config.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** {@code qmsgbus server --help} lists every setting with its default, from the one table. */
class ServerHelpTest {

  @Test
  void helpListsEverySettingWithItsDefault() {
    PrintStream old = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int code;
    try {
      System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
      code = Main.run("server", "--help");
    } finally {
      System.setOut(old);
    }
    String help = buf.toString(StandardCharsets.UTF_8);
    assertThat(code).isZero();
    for (Setting s : Settings.ALL) {
      assertThat(help).contains("  " + s.key() + " = " + s.defaultShown());
    }
    // the four the issue found missing from the hand-written list
    assertThat(help)
        .contains("maxPacketsPerSecond = 0")
        .contains("maxConnectionsPerAddress = 10000")
        .contains("maxTotalQueuedBytes = 1073741824 (1 GiB)")
        .contains("shutdownGraceSeconds = 5");
  }
}
