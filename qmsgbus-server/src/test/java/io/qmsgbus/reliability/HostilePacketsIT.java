package io.qmsgbus.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.protocol.JsonScanner;
import io.qmsgbus.testkit.RawWebSocket;
import io.qmsgbus.testkit.Started;
import io.qmsgbus.transport.BusServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The security review's hostile packets, sent as raw WebSocket frames to a real server: each is
 * refused with an error reply to its sender, reaches no receiver, and leaves the sender's
 * connection working (its next good packet is delivered).
 */
class HostilePacketsIT {

  private static final int MAX_ID = 64;
  private static final int MAX_REGISTRATIONS = 1_000;

  @RegisterExtension
  final Started<BusServer> bus =
      Started.perTest(
          () ->
              BusServer.start(
                  ServerConfig.defaults()
                      .withPort(0)
                      .withMaxFrameBytes(4 << 20)
                      .withMaxRegistrations(MAX_REGISTRATIONS)
                      .with("maxIdLength", Integer.toString(MAX_ID))));

  private RawWebSocket rx;
  private RawWebSocket tx;

  @BeforeEach
  void start() throws Exception {
    rx = RawWebSocket.open(bus.get().port());
    assertThat(rx.control("{\"register\":[\"sensors.temp\",\"alerts.fire\",\"s\"],\"id\":0}"))
        .contains("\"ok\":true");
    assertThat(rx.control("{\"fastpush\":true,\"id\":1}")).contains("\"ok\":true"); // no acks
    tx = RawWebSocket.connect(bus.get().port()).autoReply(false);
    tx.upgrade();
  }

  @AfterEach
  void stop() throws Exception {
    if (tx != null) {
      tx.close();
    }
    if (rx != null) {
      rx.close();
    }
  }

  /** Sends {@code packet} as BINARY; returns the error reply, after checking nobody got it. */
  private String refused(byte[] packet) throws Exception {
    tx.frame(0x82, packet);
    String reply = tx.nextText();
    assertThat(reply).contains("\"ok\":false");
    assertThat(rx.pollBinary(Duration.ofMillis(150)))
        .as("a receiver got the refused packet")
        .isNull();
    stillWorks();
    return reply;
  }

  private String refused(String packet) throws Exception {
    return refused(packet.getBytes(StandardCharsets.UTF_8));
  }

  /** The sender's next good packet is delivered byte-exact. */
  private void stillWorks() throws Exception {
    String good = "{\"skill\":\"s\",\"after\":true}";
    tx.frame(0x82, good.getBytes(StandardCharsets.UTF_8));
    assertThat(rx.nextBinary()).isEqualTo(good);
  }

  @Test
  void aDuplicateSkillIsRefusedNotRoutedOnEitherKey() throws Exception {
    String reply =
        refused("{\"skill\":\"sensors.temp\",\"skill\":\"alerts.fire\",\"v\":99,\"id\":5}");
    assertThat(reply)
        .isEqualTo(
            "{\"id\":5,\"ok\":false,\"error\":\"duplicate key \\\"skill\\\": a data packet must"
                + " name its skill once\"}");
    // an escaped spelling of the key is the same key
    assertThat(refused("{\"skill\":\"sensors.temp\",\"sk\\u0069ll\":\"alerts.fire\"}"))
        .contains("duplicate key");
  }

  @Test
  void aDuplicateIdIsRefusedAndNeitherIdEchoed() throws Exception {
    assertThat(refused("{\"skill\":\"s\",\"id\":1,\"id\":2}"))
        .isEqualTo(
            "{\"ok\":false,\"error\":\"duplicate key \\\"id\\\": a packet must carry one id\"}");
  }

  static Stream<Arguments> notStrictJson() {
    return Stream.of(
        Arguments.of("truncated", "{\"skill\":\"s\",\"p\":[1,2"),
        Arguments.of("trailing garbage", "{\"skill\":\"s\",\"p\":1}xyz"),
        Arguments.of("two documents", "{\"skill\":\"s\",\"p\":1}{\"skill\":\"s\",\"p\":2}"),
        Arguments.of("NaN", "{\"skill\":\"s\",\"p\":NaN}"),
        Arguments.of("Infinity", "{\"skill\":\"s\",\"p\":-Infinity}"),
        Arguments.of("leading zero", "{\"skill\":\"s\",\"p\":007}"),
        Arguments.of("bad escape", "{\"skill\":\"s\",\"p\":\"\\q\"}"),
        Arguments.of("raw control character", "{\"skill\":\"s\",\"p\":\"a\u0001b\"}"),
        Arguments.of("single quotes", "{\"skill\":\"s\",'p':1}"),
        Arguments.of("trailing comma", "{\"skill\":\"s\",\"p\":[1,],}"),
        Arguments.of(
            "nested too deep",
            "{\"skill\":\"s\",\"p\":"
                + "[".repeat(JsonScanner.MAX_DEPTH)
                + "]".repeat(JsonScanner.MAX_DEPTH)
                + "}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notStrictJson")
  void aDataPacketThatIsNotStrictJsonIsRefused(String what, String packet) throws Exception {
    assertThat(refused(packet)).contains("\"error\":");
  }

  static Stream<Arguments> notUtf8() {
    return Stream.of(
        Arguments.of("overlong", new int[] {0xC0, 0xAF}),
        Arguments.of("overlong 3-byte", new int[] {0xE0, 0x80, 0xAF}),
        Arguments.of("surrogate", new int[] {0xED, 0xA0, 0x80}),
        Arguments.of("past U+10FFFF", new int[] {0xF4, 0x90, 0x80, 0x80}),
        Arguments.of("truncated", new int[] {0xE2, 0x82}),
        Arguments.of("lone continuation", new int[] {0x80}));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("notUtf8")
  void aDataPacketThatIsNotUtf8IsRefused(String what, int[] bad) throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("{\"skill\":\"s\",\"p\":\"".getBytes(StandardCharsets.US_ASCII));
    for (int x : bad) {
      b.write(x);
    }
    b.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
    assertThat(refused(b.toByteArray())).isEqualTo("{\"ok\":false,\"error\":\"not valid UTF-8\"}");
  }

  @Test
  void aBinaryControlPacketThatIsNotUtf8IsRefusedNotAppliedAsReplacementCharacters()
      throws Exception {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes("{\"register\":\"x".getBytes(StandardCharsets.US_ASCII));
    b.write(0xFF);
    b.writeBytes("\",\"id\":3}".getBytes(StandardCharsets.US_ASCII));
    tx.frame(0x82, b.toByteArray());
    assertThat(tx.nextText()).isEqualTo("{\"ok\":false,\"error\":\"not valid UTF-8\"}");
    // not registered for "x\uFFFD": a packet to that name reaches the sender nowhere
    tx.frame(0x82, "{\"register\":\"y\",\"id\":4}".getBytes(StandardCharsets.UTF_8));
    assertThat(tx.nextText()).isEqualTo("{\"id\":4,\"ok\":true}");
  }

  @Test
  void aLongIdIsRefusedWithoutEchoingIt() throws Exception {
    String id = "\"" + "i".repeat(MAX_ID) + "\""; // 66 characters of JSON text
    String expected = "{\"ok\":false,\"error\":\"id longer than " + MAX_ID + " characters\"}";
    assertThat(refused("{\"skill\":\"s\",\"id\":" + id + "}")).isEqualTo(expected);
    tx.frame(0x82, ("{\"ack\":\"\",\"get\":1,\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8));
    assertThat(tx.nextText()).isEqualTo(expected);
  }

  @Test
  void aRegisterOf120000SkillsIsRefusedQuicklyAndTheLoopStaysResponsive() throws Exception {
    StringBuilder sb = new StringBuilder("{\"register\":[");
    for (int i = 0; i < 120_000; i++) {
      sb.append(i == 0 ? "" : ",").append("\"k").append(i).append('"');
    }
    sb.append("],\"id\":9}");
    long t0 = System.nanoTime();
    tx.frame(0x82, sb.toString().getBytes(StandardCharsets.UTF_8));
    assertThat(tx.nextText())
        .isEqualTo(
            "{\"id\":9,\"ok\":false,\"error\":\"too many skills in one packet: at most "
                + MAX_REGISTRATIONS
                + "\"}");
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(ms).as("milliseconds for one control packet").isLessThan(3_000);
    stillWorks();
  }
}
