package io.qmsgbus.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What a seed-API Python client (WebSocketClientQ on Debian's python3-websocket) gets, frame by
 * frame, driven step by step through clients/python/tests/driver.py: exact bytes, always as binary,
 * into the deque; one packet per ACK; replies and errors never in the deque. Mixed with a bare JDK
 * WebSocket where the Java side's view is the point.
 */
class PythonDeliveryInteropTest extends InteropTestBase {

  @Override
  void requireTools() {
    InteropEnvironment.requirePython();
  }

  /** Packets whose bytes a re-encoding would change; each must arrive byte for byte. */
  private static List<String> trickyPackets() {
    List<String> packets = new ArrayList<>();
    packets.add("{\"skill\":\"bytes\",\"payload\":\"plain\"}");
    packets.add("{ \"skill\" : \"bytes\" ,\n\t\"payload\" : [1, 2.50, -3e+2, true, null] }");
    packets.add(
        "{\"skill\": \"bytes\", \"payload\": \"h\u00e9llo w\u00f6rld \u2603 \ud83d\ude80\"}");
    packets.add("{\"skill\":\"bytes\",\"payload\":\"\\u00e9\\n\\\"quoted\\\"\\\\\",\"id\":7}");
    packets.add(
        "{\"payload\":{\"nested\":{\"k\":[{}]}},\"skill\":\"bytes\",\"extra\":\"rides along\"}");
    packets.add("{\"skill\":\"bytes\",\"payload\":\"" + "x".repeat(200_000) + "\"}");
    return packets;
  }

  @Test
  void pythonToPythonBytesArriveIdenticalAndAsBinary() {
    ScriptProcess receiver = driver("py-receiver");
    receiver.send("text {\"register\": \"bytes\"}");
    sync(receiver, "r0");
    ScriptProcess sender = driver("py-sender");

    List<String> packets = trickyPackets();
    for (int i = 0; i < packets.size(); i++) {
      sender.send("binhex " + hex(packets.get(i)));
      receiver.awaitValues("DATA", i + 1, WAIT);
      receiver.send("text {\"ack\": \"\"}");
    }
    sync(receiver, "r1");

    // "bytes": the deque got Python bytes objects, i.e. BINARY frames; hex compares every byte.
    assertThat(receiver.values("DATA"))
        .as(receiver.describe())
        .containsExactlyElementsOf(
            packets.stream().map(p -> "bytes " + hex(p)).collect(Collectors.toList()));
    assertThat(sender.values("EMITTED")).containsOnly("True").hasSize(packets.size());
  }

  @Test
  void pythonSenderToJavaReceiverExactBytesInBinaryFrames() {
    JdkBusClient java = jdk();
    java.sendText("{\"register\":\"mixed\"}");
    java.sync();

    ScriptProcess sender =
        python(
            "sender",
            "examples/sender.py",
            "--skill",
            "mixed",
            "--count",
            "3",
            "--payload",
            "p-{n}");
    assertThat(sender.awaitExit(WAIT)).as(sender.describe()).isZero();
    List<String> sent = sender.values("SENT");
    assertThat(sent).hasSize(3);

    for (int i = 1; i <= 3; i++) {
      java.awaitBinaryFrames(i);
      java.sendText("{\"ack\":\"\"}");
    }
    java.sync();
    List<JdkBusClient.Frame> got = java.binaryFrames();
    assertThat(got).hasSize(3);
    for (int i = 0; i < 3; i++) {
      assertThat(got.get(i).bytes()).isEqualTo(sent.get(i).getBytes(StandardCharsets.UTF_8));
    }
    // nothing but the two sync replies came as text: no unasked-for replies
    assertThat(java.frames().stream().filter(f -> !f.binary())).hasSize(2);
  }

  /**
   * A Java sender's data packets reach the seed receiver as binary, byte for byte, whether the
   * sender used a BINARY or a TEXT frame (the server tells data from control by the keys).
   */
  @Test
  void javaSenderToPythonReceiverAlwaysBinary() {
    ScriptProcess receiver = driver("py-receiver");
    receiver.send("text {\"register\": \"mixed\"}");
    sync(receiver, "r0");

    String inBinary = "{\"skill\":\"mixed\",\"payload\":\"sent in a BINARY frame \u00e9\"}";
    String inText = "{\"skill\":\"mixed\",\"payload\":\"sent in a TEXT frame \u00e9\"}";
    JdkBusClient java = jdk();
    java.sendBinary(inBinary.getBytes(StandardCharsets.UTF_8));
    java.sendText(inText);

    receiver.awaitValues("DATA", 1, WAIT);
    receiver.send("text {\"ack\": \"\"}");
    receiver.awaitValues("DATA", 2, WAIT);
    assertThat(dataTexts(receiver)).containsExactly(inBinary, inText);
    assertThat(receiver.values("DATA")).allMatch(v -> v.startsWith("bytes "));
  }

  /**
   * The delivery window is one packet: a receiver that does not ACK gets exactly one; each ACK lets
   * exactly one more through; an ACK with nothing in flight changes nothing; with the queue empty
   * the next packet goes out at once.
   */
  @Test
  void ackPacingIsAWindowOfOne() {
    ScriptProcess receiver = driver("py-receiver");
    receiver.send("text {\"register\": \"paced\"}");
    sync(receiver, "r0");
    ScriptProcess sender = driver("py-sender");

    for (int i = 1; i <= 3; i++) {
      sender.send("binary " + packet(i));
    }
    sync(sender, "s1"); // all three are in the receiver's queue (or on their way to it)

    receiver.awaitValues("DATA", 1, WAIT);
    sync(receiver, "r1");
    assertThat(dataTexts(receiver)).as("no ACK yet: one packet").containsExactly(packet(1));

    receiver.send("text {\"ack\": \"\"}");
    receiver.awaitValues("DATA", 2, WAIT);
    sync(receiver, "r2");
    assertThat(dataTexts(receiver)).containsExactly(packet(1), packet(2));

    receiver.send("text {\"ack\": \"\"}");
    receiver.awaitValues("DATA", 3, WAIT);
    receiver.send("text {\"ack\": \"\"}"); // queue now empty, nothing in flight
    receiver.send("text {\"ack\": \"\"}"); // an ACK with nothing in flight: no-op
    sync(receiver, "r3");
    assertThat(dataTexts(receiver)).containsExactly(packet(1), packet(2), packet(3));

    // nothing in flight and the queue empty: the next packet is sent at once, the one after waits
    sender.send("binary " + packet(4));
    sender.send("binary " + packet(5));
    sync(sender, "s2");
    receiver.awaitValues("DATA", 4, WAIT);
    sync(receiver, "r4");
    assertThat(dataTexts(receiver))
        .as("the spare ACK did not open the window wider")
        .containsExactly(packet(1), packet(2), packet(3), packet(4));

    receiver.send("text {\"ack\": \"\"}");
    receiver.awaitValues("DATA", 5, WAIT);
    assertThat(dataTexts(receiver)).endsWith(packet(5));
  }

  /**
   * Seed-style control packets (no id) get no reply; replies to packets with an id, and errors,
   * come as TEXT and never land in the deque; the connection stays open after bad input.
   */
  @Test
  void repliesAndErrorsNeverReachTheDeque() {
    ScriptProcess client = driver("py-client");
    client.send("text {\"register\": \"quiet\"}");
    client.send("text {'register':'quiet2'}");
    client.send("text {'buffering' : True}");
    client.send("text {'fastpush' : False}");
    client.send("text {\"ack\": \"\"}");
    client.send("text {\"get\": \"\"}");
    client.send("text {'deregister':'quiet2'}");
    sync(client, "c1");
    assertThat(client.values("TEXT"))
        .as("only the sync packet, which had an id, got a reply")
        .hasSize(1);

    client.send("text this is not json");
    client.send("binary {\"neither\": \"skill nor control\"}");
    client.send("text [1, 2, 3]");
    sync(client, "c2");
    List<String> texts = client.values("TEXT");
    assertThat(texts).hasSize(5);
    assertThat(texts.subList(1, 4))
        .as(client.describe())
        .allSatisfy(t -> assertThat(t.replace(" ", "")).startsWith("{\"ok\":false,\"error\":"));
    assertThat(client.values("DATA")).as("the deque got nothing").isEmpty();
    assertThat(client.values("EMITTED")).containsOnly("True");

    // still connected and working: a data packet to its own skill comes back, as data
    client.send("binary {\"skill\": \"quiet\", \"payload\": \"still here\"}");
    client.awaitValues("DATA", 1, WAIT);
    assertThat(dataTexts(client))
        .containsExactly("{\"skill\": \"quiet\", \"payload\": \"still here\"}");
  }

  private static String packet(int i) {
    return "{\"skill\": \"paced\", \"payload\": \"packet-" + i + "\"}";
  }
}
