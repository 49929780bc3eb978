package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The seed's Python client, unchanged, names a durable session through the path it already takes
 * ('/?session=NAME'): what is sent while it is away is waiting when it comes back.
 */
class PythonSessionInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requirePython();
  }

  @Test
  void theSeedClientResumesItsSessionThroughTheUrl() throws Exception {
    ScriptProcess first =
        python("first", "examples/session_receiver.py", "--session", "py-inbox", "--count", "1");
    first.awaitValue("READY", WAIT);
    ScriptProcess s1 = python("sender1", "examples/sender.py", "--payload", "before");
    assertThat(s1.awaitExit(WAIT)).as(s1.describe()).isZero();
    assertThat(first.awaitExit(WAIT)).as(first.describe()).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server
                    .sessionRegistry()
                    .named("py-inbox")
                    .snapshot()
                    .get()
                    .remoteAddress()
                    .equals("detached"));

    ScriptProcess s2 =
        python("sender2", "examples/sender.py", "--count", "3", "--payload", "away-{n}");
    assertThat(s2.awaitExit(WAIT)).as(s2.describe()).isZero();

    ScriptProcess back =
        python("back", "examples/session_receiver.py", "--session", "py-inbox", "--count", "3");
    assertThat(back.awaitExit(WAIT)).as(back.describe()).isZero();
    assertThat(first.values("RECEIVED")).containsExactly(pyPacket("skill1", "before"));
    assertThat(back.values("RECEIVED"))
        .containsExactly(
            pyPacket("skill1", "away-1"),
            pyPacket("skill1", "away-2"),
            pyPacket("skill1", "away-3"));
  }
}
