package io.qmsgbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bench packet: exact size, valid-looking JSON, and a send time that reads back. */
class PayloadTest {

  @Test
  void hasTheRequestedSizeAndCarriesItsStamp() {
    Payload p = Payload.of("bench.1", 100);
    long now = System.nanoTime();
    p.stamp(now);
    String text = new String(p.bytes(), StandardCharsets.US_ASCII);
    assertThat(p.length()).isEqualTo(100);
    assertThat(text)
        .startsWith("{\"skill\":\"bench.1\",\"t\":1")
        .endsWith("xx\"}")
        .contains(",\"p\":\"x");
    ByteBuf buf = Unpooled.buffer().writeBytes(new byte[3]).writeBytes(p.bytes());
    byte[] scratch = new byte[Payload.SCRATCH];
    assertThat(Payload.readStamp(buf, 3, 100, p.tOffset(), scratch)).isEqualTo(now);
    // a wrong hint falls back to searching
    assertThat(Payload.readStamp(buf, 3, 100, 5, scratch)).isEqualTo(now);
  }

  @Test
  void aPacketWithAnIdKeepsItsSizeAndStampOffset() {
    Payload p = Payload.ofWithId("bench", 100);
    long now = System.nanoTime();
    p.stamp(now);
    p.stampId(42);
    String text = new String(p.bytes(), StandardCharsets.US_ASCII);
    assertThat(p.length()).isEqualTo(100);
    assertThat(text).startsWith("{\"skill\":\"bench\",\"id\":\"0000000042\",\"t\":1");
    p.stampId(9_999_999_999L);
    assertThat(new String(p.bytes(), StandardCharsets.US_ASCII)).contains("\"id\":\"9999999999\"");
    ByteBuf buf = Unpooled.wrappedBuffer(p.bytes());
    assertThat(Payload.readStamp(buf, 0, 100, p.tOffset(), new byte[Payload.SCRATCH]))
        .isEqualTo(now);
  }

  @Test
  void tooSmallASizeGivesTheSmallestPacket() {
    Payload p = Payload.of("s", 10);
    assertThat(p.length()).isEqualTo(Payload.minSize("s"));
  }

  @Test
  void aPacketWithoutStampReadsAsNone() {
    ByteBuf buf =
        Unpooled.copiedBuffer("{\"skill\":\"s\",\"payload\":1}", StandardCharsets.US_ASCII);
    assertThat(Payload.readStamp(buf, 0, buf.readableBytes(), 15, new byte[Payload.SCRATCH]))
        .isEqualTo(Long.MIN_VALUE);
  }
}
