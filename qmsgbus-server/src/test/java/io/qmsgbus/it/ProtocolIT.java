package io.qmsgbus.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every row of PROTOCOL.md sections 1-5, over a real socket. */
class ProtocolIT {

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(
          () ->
              BusServer.start(
                  ServerConfig.defaults()
                      .withPort(0)
                      .withMaxSkillLength(64)
                      .withMaxFrameBytes(64 * 1024)));

  private final List<RawWebSocket> probes = new ArrayList<>();

  @AfterEach
  void stop() {
    probes.forEach(RawWebSocket::close); // before the server closes
  }

  private RawWebSocket client() {
    RawWebSocket p = RawWebSocket.open(bus.get().port());
    probes.add(p);
    return p;
  }

  private RawWebSocket receiver(String skill) {
    RawWebSocket p = client();
    assertThat(p.control("{\"register\":\"" + skill + "\",\"id\":1}"))
        .isEqualTo("{\"id\":1,\"ok\":true}");
    return p;
  }

  @Test
  void upgradeOnSlashAndSlashWs() {
    RawWebSocket a =
        RawWebSocket.open(URI.create("ws://127.0.0.1:" + bus.get().port() + "/ws"), Map.of(), null);
    probes.add(a);
    assertThat(a.control("{\"ack\":\"\",\"id\":\"x\"}")).isEqualTo("{\"id\":\"x\",\"ok\":true}");
  }

  @Test
  void otherPathsAndPlainHttpGetAClearAnswer() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.get().port() + "/nope"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    HttpResponse<String> plain =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bus.get().port() + "/"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(426);
    assertThat(plain.body()).contains("WebSocket");
  }

  @Test
  void dataIsForwardedAsTheExactBytesInBinaryFramesWhateverFrameItCameIn() {
    RawWebSocket rx = receiver("s1");
    rx.sendText("{\"fastpush\":true,\"id\":2}");
    assertThat(rx.nextText()).isEqualTo("{\"id\":2,\"ok\":true}");
    RawWebSocket tx = client();
    String asBinary = "{\"skill\":\"s1\",  \"payload\": {\"n\": 1.50, \"u\":\"\u00e9\u2603\"}}";
    String asText = "{\"payload\":[1,2,3],\"skill\":\"s1\",\"id\":99}";
    tx.sendBinary(asBinary);
    tx.sendText(asText);
    assertThat(rx.nextBinary()).isEqualTo(asBinary);
    assertThat(rx.nextBinary()).isEqualTo(asText);
    assertThat(rx.pendingTexts())
        .as("data never arrives as TEXT, and an id in data gets no reply")
        .isEmpty();
    assertThat(tx.pendingTexts()).isEmpty();
  }

  @Test
  void manySendersAndReceiversPerSkillAndTheSenderGetsItsOwnPacket() {
    RawWebSocket r1 = receiver("news");
    RawWebSocket r2 = receiver("news");
    RawWebSocket self = receiver("news");
    RawWebSocket s2 = client();
    self.sendBinary("{\"skill\":\"news\",\"from\":\"self\"}");
    for (RawWebSocket r : List.of(r1, r2, self)) {
      assertThat(r.nextBinary()).contains("\"from\":\"self\"");
      r.sendText("{\"ack\":\"\"}");
    }
    s2.sendBinary("{\"skill\":\"news\",\"from\":\"s2\"}");
    for (RawWebSocket r : List.of(r1, r2, self)) {
      assertThat(r.nextBinary()).contains("\"from\":\"s2\"");
    }
  }

  @Test
  void registeringTwiceGivesOneCopy() {
    RawWebSocket rx = receiver("dup");
    assertThat(rx.control("{\"register\":[\"dup\",\"dup\"],\"id\":3}"))
        .isEqualTo("{\"id\":3,\"ok\":true}");
    rx.control("{\"fastpush\":true,\"id\":4}");
    client().sendBinary("{\"skill\":\"dup\",\"n\":1}").sendBinary("{\"skill\":\"dup\",\"n\":2}");
    assertThat(rx.nextBinary()).contains("\"n\":1");
    assertThat(rx.nextBinary()).contains("\"n\":2");
    assertThat(rx.pollBinary(Duration.ofMillis(200))).isNull();
    assertThat(bus.get().router().receiverCounts()).containsEntry("dup", 1);
  }

  @Test
  void deregisterSingleAndListFormsAndUnknownSkillIsANoOp() {
    RawWebSocket rx = client();
    rx.control("{\"register\":[\"a\",\"b\",\"c\"],\"fastpush\":true,\"id\":1}");
    assertThat(rx.control("{\"deregister\":\"a\",\"id\":2}")).isEqualTo("{\"id\":2,\"ok\":true}");
    assertThat(rx.control("{\"deregister\":[\"b\",\"zzz\"],\"id\":3}"))
        .isEqualTo("{\"id\":3,\"ok\":true}");
    RawWebSocket tx = client();
    tx.sendBinary("{\"skill\":\"a\"}")
        .sendBinary("{\"skill\":\"b\"}")
        .sendBinary("{\"skill\":\"c\"}");
    assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"c\"}");
    assertThat(rx.pollBinary(Duration.ofMillis(200))).isNull();
  }

  @Test
  void deregisterStillDeliversWhatIsAlreadyQueued() {
    RawWebSocket rx = receiver("q");
    RawWebSocket tx = client();
    tx.sendBinary("{\"skill\":\"q\",\"n\":1}").sendBinary("{\"skill\":\"q\",\"n\":2}");
    assertThat(rx.nextBinary()).contains("\"n\":1");
    await().atMost(5, TimeUnit.SECONDS).until(() -> bus.get().metrics().packetsIn.sum() >= 3);
    rx.control("{\"deregister\":\"q\",\"id\":5}");
    rx.sendText("{\"ack\":\"\"}");
    assertThat(rx.nextBinary()).contains("\"n\":2");
  }

  @Test
  void windowOfOneAckPacing() {
    RawWebSocket rx = receiver("w");
    RawWebSocket tx = client();
    for (int i = 1; i <= 3; i++) {
      tx.sendBinary("{\"skill\":\"w\",\"n\":" + i + "}");
    }
    assertThat(rx.nextBinary()).contains("\"n\":1");
    assertThat(rx.pollBinary(Duration.ofMillis(300))).as("nothing more before an ack").isNull();
    rx.sendText("{\"ack\":\"\"}");
    assertThat(rx.nextBinary()).contains("\"n\":2");
    rx.sendText("{'ack':''}");
    assertThat(rx.nextBinary()).contains("\"n\":3");
    rx.control("{\"ack\":\"\",\"id\":1}");
    rx.control("{\"ack\":\"\",\"id\":2}"); // nothing in flight: a no-op
    tx.sendBinary("{\"skill\":\"w\",\"n\":4}").sendBinary("{\"skill\":\"w\",\"n\":5}");
    assertThat(rx.nextBinary()).as("the next arrival goes out at once").contains("\"n\":4");
    assertThat(rx.pollBinary(Duration.ofMillis(300))).isNull();
  }

  @Test
  void bufferingAndGet() {
    RawWebSocket rx = client();
    rx.control("{'register':'b','buffering':True,'id':1}");
    RawWebSocket tx = client();
    tx.sendBinary("{\"skill\":\"b\",\"n\":1}");
    assertThat(rx.nextBinary()).contains("\"n\":1");
    rx.sendText("{\"get\":\"\"}").sendText("{\"get\":\"\"}");
    assertThat(rx.nextBinary()).contains("\"n\":1");
    assertThat(rx.nextBinary()).contains("\"n\":1");
    rx.control("{\"ack\":\"\",\"id\":2}");
    rx.sendText("{\"get\":\"\"}");
    assertThat(rx.pollBinary(Duration.ofMillis(300))).as("ack released the kept packet").isNull();
    rx.control("{\"buffering\":false,\"id\":3}");
    tx.sendBinary("{\"skill\":\"b\",\"n\":2}");
    assertThat(rx.nextBinary()).contains("\"n\":2");
    rx.sendText("{\"get\":\"\"}");
    assertThat(rx.pollBinary(Duration.ofMillis(300))).as("no get without buffering").isNull();
  }

  @Test
  void fastpushSendsWithoutAcksAndTurningItOnFlushesTheQueue() {
    RawWebSocket rx = receiver("f");
    RawWebSocket tx = client();
    for (int i = 1; i <= 3; i++) {
      tx.sendBinary("{\"skill\":\"f\",\"n\":" + i + "}");
    }
    assertThat(rx.nextBinary()).contains("\"n\":1");
    await().atMost(5, TimeUnit.SECONDS).until(() -> bus.get().metrics().packetsIn.sum() >= 4);
    rx.sendText("{'fastpush' : True}");
    assertThat(rx.nextBinary()).contains("\"n\":2");
    assertThat(rx.nextBinary()).contains("\"n\":3");
    for (int i = 4; i <= 50; i++) {
      tx.sendBinary("{\"skill\":\"f\",\"n\":" + i + "}");
    }
    for (int i = 4; i <= 50; i++) {
      assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"f\",\"n\":" + i + "}");
    }
  }

  @Test
  void severalControlsApplyInTableOrder() {
    RawWebSocket rx = client();
    // register + fastpush + ack + id, all in one
    assertThat(
            rx.control(
                "{\"register\":[\"x\",\"y\"],\"fastpush\":true,\"ack\":\"\",\"future\":1,\"id\":\"m\"}"))
        .isEqualTo("{\"id\":\"m\",\"ok\":true}");
    client().sendBinary("{\"skill\":\"x\"}").sendBinary("{\"skill\":\"y\"}");
    assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"x\"}");
    assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"y\"}");
  }

  @Test
  void aValidControlWithoutIdGetsNoReply() {
    RawWebSocket rx = client();
    rx.sendText("{\"register\":\"quiet\"}");
    rx.sendText("{\"buffering\":true}");
    assertThat(rx.control("{\"ack\":\"\",\"id\":0}")).isEqualTo("{\"id\":0,\"ok\":true}");
    assertThat(rx.pendingTexts()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not json at all|not valid JSON",
        "[1,2]|must be a JSON object",
        "{}|no known key",
        "{\"hello\":\"x\"}|no known key",
        "{\"register\":[]}|must not be empty",
        "{\"register\":42}|register must be",
        "{\"buffering\":\"yes\"}|buffering must be true or false",
        "{\"skill\":7}|skill must be a string",
        "{\"skill\":\"\"}|must not be empty",
        "{\"ack\":\"\",\"id\":{\"a\":1}}|id must be a string or a number",
      })
  void badInputGetsAnErrorAndTheConnectionKeepsWorking(String input, String expected) {
    RawWebSocket c = receiver("ok");
    c.sendText(input);
    String err = c.nextText();
    assertThat(err).startsWith("{\"ok\":false,\"error\":\"").contains(expected);
    c.sendBinary(input); // the same in a BINARY frame
    assertThat(c.nextText()).contains(expected);
    c.sendBinary("{\"skill\":\"ok\"}");
    assertThat(c.nextBinary()).isEqualTo("{\"skill\":\"ok\"}");
  }

  @Test
  void errorsCarryTheIdAndNothingOfARejectedPacketApplies() {
    RawWebSocket c = client();
    assertThat(c.control("{\"register\":\"r\",\"fastpush\":\"on\",\"id\":9}"))
        .isEqualTo("{\"id\":9,\"ok\":false,\"error\":\"fastpush must be true or false\"}");
    assertThat(bus.get().router().receiverCounts()).doesNotContainKey("r");
  }

  @Test
  void overLongSkillNamesAreRefused() {
    RawWebSocket c = client();
    String longSkill = "s".repeat(65);
    assertThat(c.control("{\"register\":\"" + longSkill + "\",\"id\":1}"))
        .contains("longer than 64");
    c.sendBinary("{\"skill\":\"" + longSkill + "\"}");
    assertThat(c.nextText()).contains("longer than 64");
  }

  @Test
  void unroutedDataIsDroppedAndCountedNotAnError() {
    RawWebSocket c = client();
    c.sendBinary("{\"skill\":\"nobody\"}");
    await().atMost(5, TimeUnit.SECONDS).until(() -> bus.get().metrics().packetsUnrouted.sum() == 1);
    assertThat(c.pendingTexts()).isEmpty();
  }

  @Test
  void oversizeFrameClosesWith1009AndTheServerKeepsRunning() throws Exception {
    RawWebSocket other = receiver("still");
    // byte by byte, so what the client sees does not depend on a client library's timing: the
    // header alone announces too much, and the server answers 1009 without reading the rest
    try (RawWebSocket big = RawWebSocket.connect(bus.get().port()).autoReply(false)) {
      big.upgrade();
      big.frameHeader(0x82, 70 * 1024);
      assertThat(big.awaitClose()).isEqualTo(1009);
    }
    // reassembled fragments over the limit: 1009 too
    try (RawWebSocket fragments = RawWebSocket.connect(bus.get().port()).autoReply(false)) {
      fragments.upgrade();
      fragments.frame(0x02, new byte[40 * 1024]);
      fragments.frame(0x80, new byte[40 * 1024]);
      assertThat(fragments.awaitClose()).isEqualTo(1009);
    }
    client().sendBinary("{\"skill\":\"still\"}");
    assertThat(other.nextBinary()).isEqualTo("{\"skill\":\"still\"}");
  }

  @Test
  void fragmentedMessagesAreReassembled() {
    RawWebSocket rx = receiver("frag");
    RawWebSocket tx = client();
    tx.fragments(
        RawWebSocket.BINARY,
        "{\"skill\":".getBytes(StandardCharsets.UTF_8),
        "\"frag\",\"n\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(rx.nextBinary()).isEqualTo("{\"skill\":\"frag\",\"n\":1}");
  }

  @Test
  void disconnectLeavesNothingBehind() {
    RawWebSocket rx = receiver("gone");
    rx.control("{\"register\":[\"g2\",\"g3\"],\"buffering\":true,\"id\":2}");
    RawWebSocket tx = client();
    for (int i = 0; i < 20; i++) {
      tx.sendBinary("{\"skill\":\"gone\",\"n\":" + i + "}");
    }
    rx.nextBinary();
    rx.abort(); // vanish without a close frame
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> bus.get().router().receiverCounts().isEmpty());
    await().atMost(Duration.ofSeconds(5)).until(() -> bus.get().sessionCount() == 1);
    RawWebSocket later = receiver("gone");
    tx.sendBinary("{\"skill\":\"gone\",\"n\":\"after\"}");
    assertThat(later.nextBinary()).contains("after");
  }
}
