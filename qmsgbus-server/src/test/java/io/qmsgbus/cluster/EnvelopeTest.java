package io.qmsgbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

  private static ByteBuf frame(
      String node, long epoch, long seq, long origin, String id, String p) {
    ByteBuf h =
        Envelope.header(
            ByteBufAllocator.DEFAULT,
            node.getBytes(StandardCharsets.UTF_8),
            epoch,
            seq,
            origin,
            Envelope.idBytes(id));
    return Unpooled.wrappedBuffer(h, Unpooled.copiedBuffer(p, StandardCharsets.UTF_8));
  }

  @Test
  void whatIsWrittenIsReadBackWithThePacketsExactBytes() {
    String packet = "{\"skill\":\"a.b\",\"v\":\"é\\u0000\",\"id\":7}";
    ByteBuf f = frame("node-1", 42L, 9L, 1234L, "7", packet);
    try {
      Envelope.Decoded d = Envelope.decode(f);
      assertThat(d.node()).isEqualTo("node-1");
      assertThat(d.epoch()).isEqualTo(42L);
      assertThat(d.sequence()).isEqualTo(9L);
      assertThat(d.origin()).isEqualTo(1234L);
      assertThat(d.idJson()).isEqualTo("7");
      assertThat(d.packet().toString(StandardCharsets.UTF_8)).isEqualTo(packet);
    } finally {
      f.release();
    }
  }

  @Test
  void noIdAndAnEmptyPacketAreFine() {
    ByteBuf f = frame("n", 1, 1, 0, null, "");
    try {
      Envelope.Decoded d = Envelope.decode(f);
      assertThat(d.idJson()).isNull();
      assertThat(d.packet().readableBytes()).isZero();
    } finally {
      f.release();
    }
  }

  @Test
  void somethingElseOnTheChannelIsRefusedNotMisread() {
    for (String junk : new String[] {"", "x", "{\"skill\":\"a\"}", "\u0001"}) {
      ByteBuf f = Unpooled.copiedBuffer(junk, StandardCharsets.ISO_8859_1);
      try {
        assertThatThrownBy(() -> Envelope.decode(f)).isInstanceOf(IllegalArgumentException.class);
      } finally {
        f.release();
      }
    }
    ByteBuf whole = frame("node", 1, 2, 3, "\"abc\"", "p");
    try { // every truncation of a header is refused
      int headerEnd = whole.readableBytes() - 1;
      for (int cut = 0; cut < headerEnd; cut++) {
        ByteBuf part = whole.retainedSlice(0, cut);
        try {
          assertThatThrownBy(() -> Envelope.decode(part))
              .as("cut at %d", cut)
              .isInstanceOf(IllegalArgumentException.class);
        } finally {
          part.release();
        }
      }
    } finally {
      whole.release();
    }
  }
}
