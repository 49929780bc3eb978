package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An OutOfMemoryError ends the server process, and the launcher asks the JVM for that too. */
@Timeout(60)
class OutOfMemoryHaltTest {

  /** Run in a child JVM: installs the handler, then an OutOfMemoryError escapes a thread. */
  public static void main(String[] args) throws Exception {
    ServerCommand.installOutOfMemoryHalt();
    Thread t =
        new Thread(
            () -> {
              throw new OutOfMemoryError("test");
            });
    t.start();
    t.join();
    Thread.sleep(10_000);
    System.exit(0); // not reached when the handler works
  }

  @Test
  void anOutOfMemoryErrorHaltsWithStatus3() throws Exception {
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                OutOfMemoryHaltTest.class.getName())
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(3);
    assertThat(ServerCommand.isOutOfMemory(new RuntimeException(new OutOfMemoryError()))).isTrue();
    assertThat(ServerCommand.isOutOfMemory(new RuntimeException())).isFalse();
  }

  @Test
  void theLauncherExitsOnOutOfMemory() throws Exception {
    Path launcher = Path.of("..", "qmsgbus");
    List<String> lines = Files.readAllLines(launcher);
    assertThat(lines).anyMatch(l -> l.startsWith("exec java -XX:+ExitOnOutOfMemoryError"));
  }
}
