package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server-to-client half of the NATS text protocol (INFO, MSG, PING, PONG, +OK, -ERR), parsed as
 * a byte stream: NATS packs several messages into one WebSocket frame and may split a message
 * across frames, so frame payloads are fed in order and the parser keeps its place between them. A
 * message whose payload lies whole in one fed chunk is handed over in place (no copy); one split
 * across chunks is gathered first. Not thread-safe: one per connection, on its event loop.
 */
final class NatsParser {

  /** What the parser found. Buffers passed in are valid only during the call. */
  interface Listener {
    void info(String json);

    /**
     * A MSG. {@code replyTo} is null when the message has no reply subject; the payload is {@code
     * length} bytes of {@code buf} from {@code index}.
     */
    void msg(int sid, byte[] replyTo, ByteBuf buf, int index, int length);

    void ping();

    void pong();

    void ok();

    void err(String text);
  }

  private static final int MAX_LINE = 64 * 1024;

  private final Listener listener;
  private byte[] line = new byte[256];
  private int lineLength;
  private boolean inPayload;
  private int sid;
  private byte[] replyTo;
  private int payloadLength;
  private int subjectStart;
  private int subjectEnd;
  private final ByteBuf gathered = Unpooled.buffer(0);
  private final int[] starts = new int[4];
  private final int[] ends = new int[4];

  NatsParser(Listener listener) {
    this.listener = listener;
  }

  /** Feeds {@code length} bytes of {@code buf} from {@code index}. */
  void feed(ByteBuf buf, int index, int length) {
    int i = index;
    int end = index + length;
    while (i < end) {
      if (!inPayload) {
        int nl = buf.indexOf(i, end, (byte) '\n');
        if (nl < 0) {
          append(buf, i, end - i);
          return;
        }
        append(buf, i, nl - i);
        i = nl + 1;
        int n = lineLength;
        if (n > 0 && line[n - 1] == '\r') {
          n--;
        }
        lineLength = 0;
        controlLine(n);
      } else {
        int need = payloadLength + 2 - gathered.readableBytes();
        int avail = end - i;
        if (gathered.readableBytes() == 0 && avail >= need) {
          inPayload = false;
          i += need;
          listener.msg(sid, replyTo, buf, i - need, payloadLength);
        } else {
          int take = Math.min(need, avail);
          gathered.writeBytes(buf, i, take);
          i += take;
          if (take == need) {
            inPayload = false;
            listener.msg(sid, replyTo, gathered, gathered.readerIndex(), payloadLength);
            gathered.clear();
          }
        }
      }
    }
  }

  private void append(ByteBuf buf, int index, int length) {
    if (length == 0) {
      return;
    }
    if (lineLength + length > line.length) {
      if (lineLength + length > MAX_LINE) {
        throw new IllegalStateException("NATS protocol line longer than " + MAX_LINE + " bytes");
      }
      line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
    }
    buf.getBytes(index, line, lineLength, length);
    lineLength += length;
  }

  private void controlLine(int n) {
    if (n == 0) {
      return;
    }
    byte c0 = upper(line[0]);
    if (c0 == 'M' && n > 4 && upper(line[1]) == 'S' && upper(line[2]) == 'G') {
      msgLine(n);
    } else if (c0 == 'P' && n >= 4 && upper(line[1]) == 'I') {
      listener.ping();
    } else if (c0 == 'P' && n >= 4 && upper(line[1]) == 'O') {
      listener.pong();
    } else if (c0 == 'I' && n >= 4) {
      listener.info(new String(line, 4, n - 4, StandardCharsets.UTF_8).trim());
    } else if (c0 == '+') {
      listener.ok();
    } else if (c0 == '-') {
      listener.err(new String(line, 0, n, StandardCharsets.UTF_8));
    } else {
      throw new IllegalStateException(
          "unexpected NATS protocol line: "
              + new String(line, 0, Math.min(n, 80), StandardCharsets.UTF_8));
    }
  }

  /** {@code MSG <subject> <sid> [reply-to] <#bytes>}. */
  private void msgLine(int n) {
    int tokens = 0;
    int i = 3;
    while (i < n) {
      while (i < n && (line[i] == ' ' || line[i] == '\t')) {
        i++;
      }
      if (i >= n) {
        break;
      }
      if (tokens == 4) {
        throw new IllegalStateException("MSG line with too many fields");
      }
      starts[tokens] = i;
      while (i < n && line[i] != ' ' && line[i] != '\t') {
        i++;
      }
      ends[tokens++] = i;
    }
    if (tokens < 3) {
      throw new IllegalStateException("MSG line with too few fields");
    }
    subjectStart = starts[0];
    subjectEnd = ends[0];
    sid = (int) number(starts[1], ends[1]);
    replyTo = tokens == 4 ? Arrays.copyOfRange(line, starts[2], ends[2]) : null;
    long size = number(starts[tokens - 1], ends[tokens - 1]);
    if (size > Integer.MAX_VALUE - 2) {
      throw new IllegalStateException("MSG payload too large: " + size);
    }
    payloadLength = (int) size;
    inPayload = true;
    gathered.clear();
  }

  /**
   * During {@link Listener#msg}: the MSG's subject. (The control line stays in place until the next
   * line is read, which is after the payload.)
   */
  String subject() {
    return new String(line, subjectStart, subjectEnd - subjectStart, StandardCharsets.US_ASCII);
  }

  /**
   * During {@link Listener#msg}: the decimal number after the subject's last '.', or -1 when that
   * token is not all digits (a reply inbox {@code _INBOX.x.<id>} names the publish it answers).
   */
  long subjectSuffixNumber() {
    int i = subjectEnd;
    while (i > subjectStart && line[i - 1] != '.') {
      i--;
    }
    if (i == subjectEnd || subjectEnd - i > 18) {
      return -1;
    }
    long v = 0;
    for (int k = i; k < subjectEnd; k++) {
      int d = line[k] - '0';
      if (d < 0 || d > 9) {
        return -1;
      }
      v = v * 10 + d;
    }
    return v;
  }

  private long number(int from, int to) {
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = line[i] - '0';
      if (d < 0 || d > 9) {
        throw new IllegalStateException("not a number in a MSG line");
      }
      v = v * 10 + d;
    }
    return v;
  }

  private static byte upper(byte b) {
    return (byte) (b >= 'a' && b <= 'z' ? b - 32 : b);
  }
}
