package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.client.WebSocketClientQ;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The seed's own send/receive flow, run as the seed's Python programs (clients/python/examples/) on
 * Debian's python3-websocket against the Java server: what the receivers print is what they got.
 */
class PythonSeedFlowInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requirePython();
  }

  /** Seed snippets "send a data packet" and "subscribe to a skill and receive" (corrected). */
  @Test
  void seedSenderReachesSeedReceiver() {
    ScriptProcess receiver =
        python(
            "receiver",
            "examples/receiver.py",
            "--sync",
            "--skill",
            "skill1",
            "--count",
            "1",
            "--timeout",
            SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);

    // The sender as the seed writes it: payload str(datetime.now()); port from the environment.
    List<String> command =
        List.of(
            InteropEnvironment.PYTHON,
            InteropEnvironment.pythonDir().resolve("examples/sender.py").toString());
    ScriptProcess sender =
        track(
            ScriptProcess.start(
                "sender",
                InteropEnvironment.pythonDir(),
                command,
                "QMSGBUS_HOST",
                "127.0.0.1",
                "QMSGBUS_PORT",
                Integer.toString(port)));
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();
    List<String> sent = sender.values("SENT");
    assertThat(sent).as(sender.describe()).hasSize(1);
    assertThat(sent.get(0)).startsWith("{\"skill\": \"skill1\", \"payload\": \"20");

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    assertThat(receiver.values("RECEIVED")).as(receiver.describe()).containsExactly(sent.get(0));
    assertThat(receiver.values("DONE")).containsExactly("received=1");
  }

  /** The seed receiver's "pop, ACK" loop keeps packets coming, in order, one per ACK. */
  @Test
  void seedReceiverAcksItsWayThroughManyPackets() {
    int n = 25;
    ScriptProcess receiver =
        python(
            "receiver",
            "examples/receiver.py",
            "--sync",
            "--count",
            Integer.toString(n),
            "--timeout",
            SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        python(
            "sender", "examples/sender.py", "--count", Integer.toString(n), "--payload", "msg-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    assertThat(receiver.values("RECEIVED"))
        .as(receiver.describe())
        .containsExactlyElementsOf(
            IntStream.rangeClosed(1, n)
                .mapToObj(i -> pyPacket("skill1", "msg-" + i))
                .collect(Collectors.toList()));
  }

  /**
   * The control packets spelled as the seed's README writes them, Python literals sent as text:
   * {'register':'skill1'} and {'ack':''}. Three packets arrive only if both are understood.
   */
  @Test
  void seedLiteralRegisterAndAckSpellings() {
    ScriptProcess receiver =
        python(
            "receiver-literal",
            "examples/receiver.py",
            "--literal",
            "--sync",
            "--count",
            "3",
            "--timeout",
            SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        python("sender", "examples/sender.py", "--count", "3", "--payload", "literal-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    assertThat(receiver.values("RECEIVED"))
        .as(receiver.describe())
        .containsExactly(
            pyPacket("skill1", "literal-1"),
            pyPacket("skill1", "literal-2"),
            pyPacket("skill1", "literal-3"));
  }

  /**
   * Several receivers and several senders per skill: every receiver of a skill gets every packet of
   * that skill (each sender's in order) and none of another skill.
   */
  @Test
  void severalReceiversAndSendersPerSkill() {
    int perSender = 6;
    List<ScriptProcess> skill1Receivers = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--sync",
                  "--skill",
                  "skill1",
                  "--count",
                  Integer.toString(2 * perSender),
                  "--timeout",
                  SCRIPT_TIMEOUT));
      if (i == 3) {
        args.add("--literal"); // one of them speaks the seed's Python-literal spelling
      }
      skill1Receivers.add(
          python("receiver-skill1-" + i, "examples/receiver.py", args.toArray(new String[0])));
    }
    ScriptProcess skill2Receiver =
        python(
            "receiver-skill2",
            "examples/receiver.py",
            "--sync",
            "--skill",
            "skill2",
            "--count",
            Integer.toString(perSender),
            "--timeout",
            SCRIPT_TIMEOUT);
    for (ScriptProcess r : skill1Receivers) {
      r.awaitValue("READY", WAIT);
    }
    skill2Receiver.awaitValue("READY", WAIT);

    List<ScriptProcess> senders =
        List.of(
            python(
                "sender-a",
                "examples/sender.py",
                "--skill",
                "skill1",
                "--count",
                Integer.toString(perSender),
                "--payload",
                "a-{n}"),
            python(
                "sender-b",
                "examples/sender.py",
                "--skill",
                "skill1",
                "--count",
                Integer.toString(perSender),
                "--payload",
                "b-{n}"),
            python(
                "sender-c",
                "examples/sender.py",
                "--skill",
                "skill2",
                "--count",
                Integer.toString(perSender),
                "--payload",
                "c-{n}"));
    for (ScriptProcess s : senders) {
      assertThat(s.awaitExit(WAIT)).as(s.describe()).isZero();
    }

    for (ScriptProcess r : skill1Receivers) {
      assertThat(r.awaitExit(WAIT)).as(r.describe()).isZero();
      List<String> got = r.values("RECEIVED");
      assertThat(got).as(r.describe()).hasSize(2 * perSender);
      assertThat(got.stream().filter(p -> p.contains("\"a-")))
          .as("sender a's packets, in order, at " + r.name())
          .containsExactlyElementsOf(packets("skill1", "a", perSender));
      assertThat(got.stream().filter(p -> p.contains("\"b-")))
          .as("sender b's packets, in order, at " + r.name())
          .containsExactlyElementsOf(packets("skill1", "b", perSender));
    }
    assertThat(skill2Receiver.awaitExit(WAIT)).as(skill2Receiver.describe()).isZero();
    assertThat(skill2Receiver.values("RECEIVED"))
        .as(skill2Receiver.describe())
        .containsExactlyElementsOf(packets("skill2", "c", perSender));
  }

  /**
   * The seed API in both languages: the Java {@code WebSocketClientQ} (qmsgbus-client) sends to the
   * Python seed receiver, and receives, with the seed's pop-and-ACK loop, from the Python seed
   * sender.
   */
  @Test
  void javaSeedClientAndPythonSeedClientsTalk() {
    Deque<byte[]> q = new ConcurrentLinkedDeque<>();
    List<String> texts = new CopyOnWriteArrayList<>();
    WebSocketClientQ ws = new WebSocketClientQ(q, "127.0.0.1", port, "/");
    ws.setTextListener(texts::add);
    Thread runner = new Thread(ws::runForever, "java-seed-client");
    runner.setDaemon(true);
    runner.start();
    track(ws::close);
    await().atMost(WAIT).until(ws::isConnected);

    // Java -> Python
    ScriptProcess receiver =
        python(
            "receiver",
            "examples/receiver.py",
            "--sync",
            "--count",
            "2",
            "--timeout",
            SCRIPT_TIMEOUT);
    receiver.awaitValue("READY", WAIT);
    assertThat(ws.emitBinary(pyPacket("skill1", "from-java-1").getBytes(StandardCharsets.UTF_8)))
        .isTrue();
    assertThat(ws.emitBinary(pyPacket("skill1", "from-java-2").getBytes(StandardCharsets.UTF_8)))
        .isTrue();
    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    assertThat(receiver.values("RECEIVED"))
        .containsExactly(pyPacket("skill1", "from-java-1"), pyPacket("skill1", "from-java-2"));

    // Python -> Java
    assertThat(ws.emitText("{'register':'java'}")).isTrue();
    assertThat(ws.emitText("{\"register\":\"java\",\"id\":\"ready\"}")).isTrue();
    await().atMost(WAIT).until(() -> texts.stream().anyMatch(t -> t.contains("\"ready\"")));
    ScriptProcess sender =
        python(
            "sender",
            "examples/sender.py",
            "--skill",
            "java",
            "--count",
            "3",
            "--payload",
            "py-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();
    List<String> got = new ArrayList<>();
    while (got.size() < 3) {
      await().atMost(WAIT).until(() -> !q.isEmpty());
      got.add(new String(q.pollFirst(), StandardCharsets.UTF_8));
      assertThat(ws.emitText("{\"ack\":\"\"}")).isTrue();
    }
    assertThat(got).containsExactlyElementsOf(sender.values("SENT"));
  }

  private static List<String> packets(String skill, String prefix, int n) {
    return IntStream.rangeClosed(1, n)
        .mapToObj(i -> pyPacket(skill, prefix + "-" + i))
        .collect(Collectors.toList());
  }
}
