package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JavaScript client (clients/js/qmsgbus.js) and its examples under Node, with the pinned {@code
 * ws} package, against the Java server; and across languages with the seed's Python scripts.
 */
class JavaScriptInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requireNode();
  }

  @Test
  void nodeSenderToNodeReceiver() {
    int n = 5;
    ScriptProcess receiver =
        node(
            "js-receiver",
            "examples/receiver.js",
            "--skill",
            "js",
            "--count",
            Integer.toString(n),
            "--timeout",
            SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        node(
            "js-sender",
            "examples/sender.js",
            "--skill",
            "js",
            "--count",
            Integer.toString(n),
            "--payload",
            "js-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();
    List<String> sent = sender.values("SENT");
    assertThat(sent).hasSize(n);

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      expected.add("{\"skill\":\"js\",\"payload\":\"js-" + i + "\"}");
    }
    assertThat(sent).containsExactlyElementsOf(expected);
    assertThat(receiver.values("RECEIVED"))
        .as(receiver.describe())
        .containsExactlyElementsOf(expected);
    assertThat(receiver.values("DONE")).containsExactly("received=" + n);
  }

  /**
   * qmsgbus.js loaded as a browser's script tag loads it (a global, no module system, a global
   * WebSocket), as examples/browser.html does.
   */
  @Test
  void browserStyleGlobalModule() {
    ScriptProcess page = node("js-browser-global", "test/browser-global.js", "--count", "3");
    assertThat(page.awaitExit(WAIT)).as(page.describe()).isZero();
    assertThat(page.values("RECEIVED"))
        .as(page.describe())
        .containsExactly(
            "{\"skill\":\"browser\",\"payload\":\"from-page-1\"} bytes=43",
            "{\"skill\":\"browser\",\"payload\":\"from-page-2\"} bytes=43",
            "{\"skill\":\"browser\",\"payload\":\"from-page-3\"} bytes=43");
  }

  @Test
  void nodeSenderToSeedPythonReceiver() {
    InteropEnvironment.requirePython();
    ScriptProcess receiver =
        python(
            "py-receiver",
            "examples/receiver.py",
            "--sync",
            "--count",
            "3",
            "--timeout",
            SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        node("js-sender", "examples/sender.js", "--count", "3", "--payload", "from-js-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    assertThat(receiver.values("RECEIVED"))
        .as(receiver.describe())
        .containsExactly(
            pyPacket("skill1", "from-js-1"),
            pyPacket("skill1", "from-js-2"),
            pyPacket("skill1", "from-js-3"));
  }

  @Test
  void seedPythonSenderToNodeReceiver() {
    InteropEnvironment.requirePython();
    ScriptProcess receiver =
        node("js-receiver", "examples/receiver.js", "--count", "3", "--timeout", SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        python("py-sender", "examples/sender.py", "--count", "3", "--payload", "from-py-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    assertThat(receiver.values("RECEIVED"))
        .as(receiver.describe())
        .containsExactly(
            "{\"skill\":\"skill1\",\"payload\":\"from-py-1\"}",
            "{\"skill\":\"skill1\",\"payload\":\"from-py-2\"}",
            "{\"skill\":\"skill1\",\"payload\":\"from-py-3\"}");
  }
}
