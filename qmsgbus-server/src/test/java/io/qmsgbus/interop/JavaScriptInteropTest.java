package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

  /**
   * request() and respond() of qmsgbus.js (test/request-reply.js), and across languages with the
   * Java client's: a JS request answered by Java, a Java request answered by JS.
   */
  @Test
  void requestReply() throws Exception {
    try (BusClient javaSide = BusClient.connect("ws://127.0.0.1:" + port + "/")) {
      javaSide
          .respond("svc.java", m -> "{\"from\":\"java\",\"got\":" + m.payloadJson() + "}")
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      ScriptProcess script = node("js-request-reply", "test/request-reply.js");
      script.awaitValue("READY", WAIT);
      Message answer =
          javaSide.request("svc.js", "5", WAIT).get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(answer.payloadJson()).isEqualTo("{\"twice\":10}");
      assertThat(answer.text()).contains("\"re\":");
      assertThat(script.awaitExit(WAIT)).as(script.describe()).isZero();
      assertThat(script.values("ANSWER")).containsExactly("{\"twice\":42} re=string");
      assertThat(script.values("REFUSED")).containsExactly("no receivers for 'svc.none'");
      assertThat(script.values("TIMEOUT"))
          .containsExactly("no answer from \"svc.silent\" within 300 ms");
      assertThat(script.values("CONCURRENT")).containsExactly("ok=50 of 50");
      assertThat(script.values("JAVA_ANSWER"))
          .containsExactly("{\"from\":\"java\",\"got\":{\"q\":\"js\"}}");
      assertThat(script.values("SERVED")).containsExactly("1");
      assertThat(script.values("LEAKED")).isEmpty();
      assertThat(script.values("SILENT"))
          .singleElement()
          .asString()
          .matches(
              "\\{\"skill\":\"svc\\.silent\",\"reply\":\"_inbox\\.[a-z2-7]{16}\","
                  + "\"id\":\"js-\\d+\",\"payload\":1}");
      assertThat(script.values("DONE")).hasSize(1);
    }
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
