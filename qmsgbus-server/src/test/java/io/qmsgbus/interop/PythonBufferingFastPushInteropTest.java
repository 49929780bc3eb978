package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Buffering + GET and fast-push, run with the seed-style example scripts
 * (clients/python/examples/buffering.py, fastpush.py), in JSON and in the seed README's
 * Python-literal spelling ({'buffering' : True} sent as text), and step by step with the driver.
 */
class PythonBufferingFastPushInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requirePython();
  }

  /** The seed's "enable buffering" snippet, then GET re-sends the kept packet; ACK moves on. */
  @ParameterizedTest(name = "literal spelling: {0}")
  @ValueSource(booleans = {false, true})
  void bufferingThenGetResendsTheKeptPacket(boolean literal) {
    List<String> args =
        new ArrayList<>(
            List.of("--sync", "--count", "2", "--gets", "2", "--timeout", SCRIPT_TIMEOUT));
    if (literal) {
      args.add("--literal"); // sends {'buffering' : True}, {'register':'skill1'}, {'get':''}, ...
    }
    ScriptProcess receiver =
        python("buffering", "examples/buffering.py", args.toArray(new String[0]));
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        python("sender", "examples/sender.py", "--count", "2", "--payload", "kept-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    String p1 = pyPacket("skill1", "kept-1");
    String p2 = pyPacket("skill1", "kept-2");
    assertThat(
            receiver.lines().stream()
                .filter(l -> l.startsWith("RECEIVED ") || l.startsWith("AGAIN ")))
        .as(receiver.describe())
        .containsExactly(
            "RECEIVED " + p1,
            "AGAIN identical " + p1,
            "AGAIN identical " + p1,
            "RECEIVED " + p2,
            "AGAIN identical " + p2,
            "AGAIN identical " + p2);
  }

  /** The seed's fast-push option: a receiver that never ACKs still gets every packet. */
  @ParameterizedTest(name = "literal spelling: {0}")
  @ValueSource(booleans = {false, true})
  void fastPushDeliversWithoutAcks(boolean literal) {
    int n = 8;
    List<String> args =
        new ArrayList<>(
            List.of("--sync", "--count", Integer.toString(n), "--timeout", SCRIPT_TIMEOUT));
    if (literal) {
      args.add("--literal"); // sends {'fastpush' : True} and {'register':'skill1'}
    }
    ScriptProcess receiver =
        python("fastpush", "examples/fastpush.py", args.toArray(new String[0]));
    receiver.awaitValue("READY", WAIT);
    ScriptProcess sender =
        python(
            "sender",
            "examples/sender.py",
            "--count",
            Integer.toString(n),
            "--payload",
            "fast-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();

    assertThat(receiver.awaitExit(WAIT)).as(receiver.describe()).isZero();
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      expected.add(pyPacket("skill1", "fast-" + i));
    }
    assertThat(receiver.values("RECEIVED"))
        .as(receiver.describe())
        .containsExactlyElementsOf(expected);
  }

  /**
   * Step by step: GET without buffering sends nothing; {'buffering' : True} (the literal) makes the
   * next packet kept, and GET re-sends it as often as asked without being an ACK; {'buffering' :
   * False} drops it.
   */
  @Test
  void getFollowsTheBufferingFlag() {
    ScriptProcess receiver = driver("py-receiver");
    receiver.send("text {'register':'buf'}");
    sync(receiver, "r0");
    ScriptProcess sender = driver("py-sender");

    sender.send("binary " + packet(1));
    receiver.awaitValues("DATA", 1, WAIT);
    receiver.send("text {'get':''}"); // buffering is off: nothing comes
    sync(receiver, "r1");
    assertThat(dataTexts(receiver)).containsExactly(packet(1));

    receiver.send("text {'buffering' : True}");
    receiver.send("text {'ack':''}");
    sender.send("binary " + packet(2));
    sender.send("binary " + packet(3));
    receiver.awaitValues("DATA", 2, WAIT);
    receiver.send("text {'get':''}");
    receiver.send("text {\"get\": \"\"}");
    receiver.awaitValues("DATA", 4, WAIT);
    sync(receiver, "r2");
    assertThat(dataTexts(receiver))
        .as("two GETs: packet 2 twice more, and no packet 3 (a GET is not an ACK)")
        .containsExactly(packet(1), packet(2), packet(2), packet(2));

    receiver.send("text {'buffering' : False}"); // drops the kept packet
    receiver.send("text {'get':''}");
    sync(receiver, "r3");
    assertThat(dataTexts(receiver)).hasSize(4);

    receiver.send("text {'ack':''}");
    receiver.awaitValues("DATA", 5, WAIT);
    assertThat(dataTexts(receiver)).endsWith(packet(3));
  }

  /** Fast-push on sends what is already queued; off again goes back to one packet per ACK. */
  @Test
  void fastPushOnFlushesTheQueueAndOffRestoresPacing() {
    ScriptProcess receiver = driver("py-receiver");
    receiver.send("text {\"register\": \"buf\"}");
    sync(receiver, "r0");
    ScriptProcess sender = driver("py-sender");

    for (int i = 1; i <= 3; i++) {
      sender.send("binary " + packet(i));
    }
    sync(sender, "s1");
    receiver.awaitValues("DATA", 1, WAIT);
    sync(receiver, "r1");
    assertThat(dataTexts(receiver)).containsExactly(packet(1));

    receiver.send("text {'fastpush' : True}"); // the queued 2 and 3 come without ACKs
    receiver.awaitValues("DATA", 3, WAIT);
    sender.send("binary " + packet(4));
    receiver.awaitValues("DATA", 4, WAIT);

    receiver.send("text {'fastpush' : False}");
    sync(receiver, "r2");
    sender.send("binary " + packet(5)); // packet 4 is unacked: 5 waits for an ACK
    sync(sender, "s2");
    sync(receiver, "r3");
    assertThat(dataTexts(receiver)).hasSize(4);
    receiver.send("text {\"ack\": \"\"}");
    receiver.awaitValues("DATA", 5, WAIT);
    assertThat(dataTexts(receiver))
        .containsExactly(packet(1), packet(2), packet(3), packet(4), packet(5));
  }

  private static String packet(int i) {
    return "{\"skill\": \"buf\", \"payload\": \"packet-" + i + "\"}";
  }
}
