package io.qmsgbus.cluster;

/**
 * A Redis stream entry id ({@code MILLIS-SEQ}) as the session's store key (a long), and back: the
 * millis in the high bits, the sequence in the low 20 (a million entries in one millisecond of one
 * session's stream do not happen).
 */
final class StreamIds {

  private static final int SEQ_BITS = 20;
  private static final long SEQ_MASK = (1L << SEQ_BITS) - 1;

  private StreamIds() {}

  static long toKey(String id) {
    int dash = id.indexOf('-');
    long millis = Long.parseLong(id.substring(0, dash));
    long seq = Long.parseLong(id.substring(dash + 1));
    if (seq > SEQ_MASK) {
      throw new IllegalArgumentException("stream sequence too large: " + id);
    }
    return (millis << SEQ_BITS) | seq;
  }

  static String fromKey(long key) {
    return (key >>> SEQ_BITS) + "-" + (key & SEQ_MASK);
  }
}
