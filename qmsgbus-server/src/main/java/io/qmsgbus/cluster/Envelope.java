package io.qmsgbus.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * How a data packet crosses Redis: a small binary header, then the packet's exact bytes. The skill
 * is the channel's name, so it is not repeated.
 *
 * <pre>
 * version (1) | node name length (1) | node name (UTF-8) | epoch (8) | sequence (8)
 *   | origin connection (8) | id length (2) | id JSON text (UTF-8) | packet bytes
 * </pre>
 *
 * The (epoch, sequence) pair numbers the node's packets of one skill: a receiver sees a gap when a
 * number is skipped and a duplicate when one repeats; a new epoch means the counter started again
 * (the node restarted), which is neither.
 */
final class Envelope {

  static final int VERSION = 1;

  private Envelope() {}

  /** One envelope as read off Redis; {@code packet} is a slice of the frame (not retained). */
  record Decoded(
      String node, long epoch, long sequence, long origin, String idJson, ByteBuf packet) {}

  /** The header for one packet (the packet's bytes follow it on the wire). */
  static ByteBuf header(
      ByteBufAllocator alloc, byte[] node, long epoch, long sequence, long origin, byte[] id) {
    int idLength = id == null ? 0 : id.length;
    ByteBuf h = alloc.buffer(1 + 1 + node.length + 8 + 8 + 8 + 2 + idLength);
    h.writeByte(VERSION);
    h.writeByte(node.length);
    h.writeBytes(node);
    h.writeLong(epoch);
    h.writeLong(sequence);
    h.writeLong(origin);
    h.writeShort(idLength);
    if (id != null) {
      h.writeBytes(id);
    }
    return h;
  }

  /**
   * The id's bytes for {@link #header}, or null; ids are bounded by maxIdLength (at most 64 KB).
   */
  static byte[] idBytes(String idJson) {
    if (idJson == null) {
      return null;
    }
    byte[] b = idJson.getBytes(StandardCharsets.UTF_8);
    return b.length <= 0xFFFF ? b : null;
  }

  /**
   * Reads one envelope.
   *
   * @throws IllegalArgumentException if it is not one this version writes (another bus version, or
   *     something else published on our channel)
   */
  static Decoded decode(ByteBuf frame) {
    int i = frame.readerIndex();
    int end = frame.writerIndex();
    if (end - i < 2 || frame.getUnsignedByte(i) != VERSION) {
      throw new IllegalArgumentException("not a version " + VERSION + " envelope");
    }
    int nodeLength = frame.getUnsignedByte(i + 1);
    int fixed = 2 + nodeLength + 8 + 8 + 8 + 2;
    if (end - i < fixed) {
      throw new IllegalArgumentException("envelope header cut short");
    }
    String node = frame.toString(i + 2, nodeLength, StandardCharsets.UTF_8);
    int p = i + 2 + nodeLength;
    long epoch = frame.getLong(p);
    long sequence = frame.getLong(p + 8);
    long origin = frame.getLong(p + 16);
    int idLength = frame.getUnsignedShort(p + 24);
    p += 26;
    if (end - p < idLength) {
      throw new IllegalArgumentException("envelope id cut short");
    }
    String idJson = idLength == 0 ? null : frame.toString(p, idLength, StandardCharsets.UTF_8);
    p += idLength;
    return new Decoded(node, epoch, sequence, origin, idJson, frame.slice(p, end - p));
  }
}
