package io.qmsgbus.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The NATS byte-stream parser on canned server output, however it is cut into frames. */
class NatsParserTest {

  private static final String STREAM =
      "INFO {\"server_id\":\"X\",\"version\":\"2.9.10\",\"max_payload\":1048576}\r\n"
          + "MSG bench 1 5\r\nhello\r\n"
          + "MSG bench 1 0\r\n\r\n"
          + "PING\r\n"
          + "MSG bench.1 2 bench.reply.0 11\r\nwith\r\nCRLF!\r\n"
          + "+OK\r\n"
          + "MSG bench 1 3\r\nabc\r\n"
          + "PONG\r\n"
          + "-ERR 'Slow Consumer'\r\n";

  private static final List<String> EXPECTED =
      List.of(
          "info {\"server_id\":\"X\",\"version\":\"2.9.10\",\"max_payload\":1048576}",
          "msg sid=1 reply=null [hello]",
          "msg sid=1 reply=null []",
          "ping",
          "msg sid=2 reply=bench.reply.0 [with\r\nCRLF!]",
          "ok",
          "msg sid=1 reply=null [abc]",
          "pong",
          "err -ERR 'Slow Consumer'");

  /** Records what the parser reports, as text. */
  static class Recorder implements NatsParser.Listener {
    final List<String> events = new ArrayList<>();

    @Override
    public void info(String json) {
      events.add("info " + json);
    }

    @Override
    public void msg(int sid, byte[] replyTo, ByteBuf buf, int index, int length) {
      events.add(
          "msg sid="
              + sid
              + " reply="
              + (replyTo == null ? "null" : new String(replyTo, StandardCharsets.US_ASCII))
              + " ["
              + buf.toString(index, length, StandardCharsets.US_ASCII)
              + "]");
    }

    @Override
    public void ping() {
      events.add("ping");
    }

    @Override
    public void pong() {
      events.add("pong");
    }

    @Override
    public void ok() {
      events.add("ok");
    }

    @Override
    public void err(String text) {
      events.add("err " + text);
    }
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void manyMessagesInOneFrame() {
    Recorder r = new Recorder();
    ByteBuf frame = bytes(STREAM);
    new NatsParser(r).feed(frame, 0, frame.readableBytes());
    assertThat(r.events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void anyTwoWaySplitGivesTheSameMessages() {
    byte[] all = STREAM.getBytes(StandardCharsets.US_ASCII);
    for (int cut = 1; cut < all.length; cut++) {
      Recorder r = new Recorder();
      NatsParser p = new NatsParser(r);
      // the frame payload sits inside a larger buffer, as it does in the WebSocket reader
      ByteBuf first = Unpooled.buffer().writeBytes(new byte[] {'x', 'x'}).writeBytes(all, 0, cut);
      ByteBuf second = Unpooled.wrappedBuffer(all, cut, all.length - cut);
      p.feed(first, 2, cut);
      p.feed(second, second.readerIndex(), second.readableBytes());
      assertThat(r.events).as("cut at %d", cut).containsExactlyElementsOf(EXPECTED);
    }
  }

  @Test
  void byteByByteFrames() {
    Recorder r = new Recorder();
    NatsParser p = new NatsParser(r);
    ByteBuf all = bytes(STREAM);
    for (int i = 0; i < all.readableBytes(); i++) {
      p.feed(all, i, 1);
    }
    assertThat(r.events).containsExactlyElementsOf(EXPECTED);
  }

  @Test
  void aPayloadSplitOverThreeFramesIsGathered() {
    Recorder r = new Recorder();
    NatsParser p = new NatsParser(r);
    for (String part :
        new String[] {"MSG bench 7 10\r\n0123", "456", "789\r\nMSG bench 7 1\r\nz\r\n"}) {
      ByteBuf b = bytes(part);
      p.feed(b, 0, b.readableBytes());
    }
    assertThat(r.events)
        .containsExactly("msg sid=7 reply=null [0123456789]", "msg sid=7 reply=null [z]");
  }

  @Test
  void garbageIsRefused() {
    NatsParser p = new NatsParser(new Recorder());
    ByteBuf b = bytes("HELLO there\r\n");
    assertThatThrownBy(() -> p.feed(b, 0, b.readableBytes()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("unexpected NATS protocol line");
  }
}
