package io.qmsgbus.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frames {@link FrameBatch} encodes by hand must be what a WebSocket decoder reads: checked by
 * feeding its output to Netty's own client-side decoder, at every length-encoding edge.
 */
class FrameBatchTest {

  /** What the server channel wrote, as one buffer. */
  private static ByteBuf written(EmbeddedChannel ch) {
    CompositeByteBuf all = Unpooled.compositeBuffer();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      all.addComponent(true, b);
    }
    return all;
  }

  /** Netty's decoder, as a client would run it (server frames are unmasked). */
  private static EmbeddedChannel clientDecoder() {
    return new EmbeddedChannel(
        new WebSocket13FrameDecoder(
            WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false)
                .maxFramePayloadLength(1 << 20)
                .build()));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125, 126, 127, 8192, 8193, 65535, 65536, 70000})
  void everyLengthEncodingDecodes(int length) {
    EmbeddedChannel server = new EmbeddedChannel();
    FrameBatch batch = new FrameBatch(server);
    ByteBuf payload = Unpooled.buffer(length).writeZero(length);
    batch.binary(payload);
    batch.text("{\"id\":1,\"ok\":true}");
    batch.writeOut();
    server.flush();
    EmbeddedChannel client = clientDecoder();
    client.writeInbound(written(server));
    WebSocketFrame first = client.readInbound();
    WebSocketFrame second = client.readInbound();
    try {
      assertThat(first).isInstanceOf(BinaryWebSocketFrame.class);
      assertThat(first.content().readableBytes()).isEqualTo(length);
      assertThat(first.isFinalFragment()).isTrue();
      assertThat(second).isInstanceOf(TextWebSocketFrame.class);
      assertThat(((TextWebSocketFrame) second).text()).isEqualTo("{\"id\":1,\"ok\":true}");
      assertThat(payload.refCnt()).as("the batch does not consume the payload").isEqualTo(1);
    } finally {
      first.release();
      second.release();
      payload.release();
      server.finishAndReleaseAll();
      client.finishAndReleaseAll();
    }
  }

  @Test
  void orderIsKeptWhenALargePayloadIsWrittenWithoutACopy() {
    EmbeddedChannel server = new EmbeddedChannel();
    FrameBatch batch = new FrameBatch(server);
    batch.text("a");
    ByteBuf big =
        Unpooled.buffer()
            .writeBytes("x".repeat(FrameBatch.COPY_LIMIT + 1).getBytes(StandardCharsets.US_ASCII));
    batch.binary(big);
    batch.text("b");
    batch.writeOut();
    server.flush();
    EmbeddedChannel client = clientDecoder();
    client.writeInbound(written(server));
    WebSocketFrame a = client.readInbound();
    WebSocketFrame x = client.readInbound();
    WebSocketFrame b = client.readInbound();
    try {
      assertThat(a.content().toString(StandardCharsets.UTF_8)).isEqualTo("a");
      assertThat(x.content().readableBytes()).isEqualTo(FrameBatch.COPY_LIMIT + 1);
      assertThat(b.content().toString(StandardCharsets.UTF_8)).isEqualTo("b");
    } finally {
      a.release();
      x.release();
      b.release();
      big.release();
      server.finishAndReleaseAll();
      client.finishAndReleaseAll();
    }
  }

  @Test
  void discardFreesWhatIsBatched() {
    EmbeddedChannel server = new EmbeddedChannel();
    FrameBatch batch = new FrameBatch(server);
    batch.text("never sent");
    assertThat(batch.pendingBytes()).isPositive();
    batch.discard();
    assertThat(batch.pendingBytes()).isZero();
    Object none = server.readOutbound();
    assertThat(none).isNull();
    server.finishAndReleaseAll();
  }
}
