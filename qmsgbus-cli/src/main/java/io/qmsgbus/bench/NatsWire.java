package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NATS over WebSocket: the server's INFO comes first; the client answers CONNECT, its SUBs and a
 * PING, and is subscribed once the PONG comes back (the server handles a connection's protocol in
 * order). A publisher burst is one WebSocket frame of PUBs, as NATS clients send them.
 *
 * <p>For JetStream ({@code durable}): before the PING it makes its API {@link Request}s one by one
 * (request/reply through an inbox), failing the connection on an error reply; and a publisher with
 * a confirm inbox publishes each message with the reply subject {@code <inbox>.<id>}, so the PubAck
 * that comes back there is the confirm of that id.
 */
final class NatsWire implements Wire, NatsParser.Listener {

  static final String CONNECT =
      "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":false,\"protocol\":1,"
          + "\"echo\":true,\"name\":\"qmsgbus-bench\",\"lang\":\"java\",\"version\":\"0.1\"}\r\n";

  private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PUB = "PUB ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] EMPTY_REPLY_TAIL = " 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final int API_SID = 1_000_001;
  private static final int CONFIRM_SID = 1_000_002;

  /**
   * A JetStream API request: {@code json} to {@code subject}; {@code notFoundIsFine}: a "stream not
   * found" error is no failure (deleting what may not be there).
   */
  record Request(String subject, String json, boolean notFoundIsFine) {}

  private final BenchConn conn;
  private final List<String> subscriptions;
  private final List<Request> requests;
  private final byte[] confirmInbox;
  private final String apiInbox;
  private final NatsParser parser = new NatsParser(this);
  private boolean connected;
  private int nextRequest;

  NatsWire(BenchConn conn, List<String> subscriptions) {
    this(conn, subscriptions, List.of(), null);
  }

  /**
   * @param requests JetStream API requests made, in order, before the connection is ready
   * @param confirmInbox a publisher's reply-subject prefix (ends with '.'), or null
   */
  NatsWire(
      BenchConn conn, List<String> subscriptions, List<Request> requests, String confirmInbox) {
    this.conn = conn;
    this.subscriptions = subscriptions;
    this.requests = requests;
    this.confirmInbox =
        confirmInbox == null ? null : confirmInbox.getBytes(StandardCharsets.US_ASCII);
    this.apiInbox = "_INBOX.bench." + conn.name + ".api";
  }

  /** The reply subject's length for a message with a confirm inbox. */
  private int confirmReplyLength() {
    return confirmInbox.length + Payload.ID_DIGITS;
  }

  @Override
  public void opened() {
    // nothing to do until the server's INFO arrives
  }

  @Override
  public void frame(int opcode, ByteBuf buf, int index, int length) {
    if (opcode != WsFrames.OP_BINARY
        && opcode != WsFrames.OP_TEXT
        && opcode != WsFrames.OP_CONTINUATION) {
      conn.fail("unexpected frame opcode " + opcode);
      return;
    }
    try {
      parser.feed(buf, index, length);
    } catch (IllegalStateException e) {
      conn.fail("NATS protocol: " + e.getMessage());
      conn.ctx.close();
    }
  }

  @Override
  public void info(String json) {
    if (connected) {
      return; // INFO updates (cluster changes) need nothing here
    }
    connected = true;
    StringBuilder hello = new StringBuilder(CONNECT);
    for (int i = 0; i < subscriptions.size(); i++) {
      hello.append("SUB ").append(subscriptions.get(i)).append(' ').append(i + 1).append("\r\n");
    }
    if (confirmInbox != null) {
      hello
          .append("SUB ")
          .append(new String(confirmInbox, StandardCharsets.US_ASCII))
          .append("* ")
          .append(CONFIRM_SID)
          .append("\r\n");
    }
    if (!requests.isEmpty()) {
      hello.append("SUB ").append(apiInbox).append(' ').append(API_SID).append("\r\n");
      appendRequest(hello, requests.get(0));
    } else {
      hello.append("PING\r\n");
    }
    conn.writeFrame(WsFrames.OP_BINARY, hello.toString().getBytes(StandardCharsets.US_ASCII));
  }

  private void appendRequest(StringBuilder b, Request r) {
    byte[] body = r.json().getBytes(StandardCharsets.UTF_8);
    b.append("PUB ").append(r.subject()).append(' ').append(apiInbox).append(' ');
    b.append(body.length).append("\r\n").append(r.json()).append("\r\n");
  }

  @Override
  public void msg(int sid, byte[] replyTo, ByteBuf buf, int index, int length) {
    if (sid == CONFIRM_SID) {
      String json = BenchConn.text(buf, index, length);
      long id = parser.subjectSuffixNumber();
      boolean ok = JetStreamJson.pubAckSeq(json) >= 0;
      conn.confirmed(id, ok, ok ? null : json);
    } else if (sid == API_SID) {
      apiReply(BenchConn.text(buf, index, length));
    } else {
      conn.data(replyTo, buf, index, length);
    }
  }

  private void apiReply(String json) {
    if (nextRequest >= requests.size()) {
      return; // a late duplicate: nothing is waiting
    }
    Request r = requests.get(nextRequest);
    String error = JetStreamJson.error(json);
    if (error != null
        && !(r.notFoundIsFine() && JetStreamJson.errCode(json) == JetStreamJson.STREAM_NOT_FOUND)) {
      conn.fail("JetStream " + r.subject() + ": " + error);
      return;
    }
    nextRequest++;
    StringBuilder b = new StringBuilder();
    if (nextRequest < requests.size()) {
      appendRequest(b, requests.get(nextRequest));
    } else {
      b.append("PING\r\n");
    }
    conn.writeFrame(WsFrames.OP_BINARY, b.toString().getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void ping() {
    conn.writeFrame(WsFrames.OP_BINARY, PONG);
  }

  @Override
  public void pong() {
    conn.subscribed(); // idempotent
  }

  @Override
  public void ok() {}

  @Override
  public void err(String text) {
    conn.fail("server says: " + text);
  }

  @Override
  public void ack(byte[] replyTo) {
    if (replyTo == null) {
      conn.fail("a message to acknowledge came without a reply subject");
      return;
    }
    int len = PUB.length + replyTo.length + EMPTY_REPLY_TAIL.length;
    ByteBuf b = conn.ctx.alloc().directBuffer(WsFrames.headerLength(len) + len);
    WsFrames.writeHeader(b, WsFrames.OP_BINARY, len);
    b.writeBytes(PUB).writeBytes(replyTo).writeBytes(EMPTY_REPLY_TAIL);
    conn.write(b);
  }

  @Override
  public ByteBuf encode(Publisher p, int n) {
    byte[] reply = p.replySubject();
    int total = 0;
    for (int k = 0; k < n; k++) {
      int skill = p.peekSkill(k);
      total +=
          confirmInbox != null
              ? messageLength(p.subject(skill), confirmReplyLength(), p.payloadLength(skill))
              : messageLength(p.subject(skill), reply, p.payloadLength(skill));
    }
    ByteBuf out = p.ctx.alloc().directBuffer(WsFrames.headerLength(total) + total);
    WsFrames.writeHeader(out, WsFrames.OP_BINARY, total);
    for (int k = 0; k < n; k++) {
      byte[] subject = p.subject(p.peekSkill(0));
      Payload payload = p.nextPacket();
      out.writeBytes(PUB).writeBytes(subject).writeByte(' ');
      if (confirmInbox != null) {
        out.writeBytes(confirmInbox);
        int at = out.writerIndex();
        out.writeZero(Payload.ID_DIGITS);
        for (int d = Payload.ID_DIGITS - 1; d >= 0; d--) {
          out.setByte(at + d, '0' + (int) (p.lastId() / POW10[Payload.ID_DIGITS - 1 - d] % 10));
        }
        out.writeByte(' ');
      } else if (reply != null) {
        out.writeBytes(reply).writeByte(' ');
      }
      writeDecimal(out, payload.length());
      out.writeBytes(CRLF).writeBytes(payload.bytes()).writeBytes(CRLF);
    }
    return out;
  }

  private static final long[] POW10 = new long[Payload.ID_DIGITS];

  static {
    POW10[0] = 1;
    for (int i = 1; i < POW10.length; i++) {
      POW10[i] = POW10[i - 1] * 10;
    }
  }

  static int messageLength(byte[] subject, byte[] reply, int payloadLength) {
    return messageLength(subject, reply == null ? -1 : reply.length, payloadLength);
  }

  /** {@code replyLength} -1: no reply subject. */
  static int messageLength(byte[] subject, int replyLength, int payloadLength) {
    return PUB.length
        + subject.length
        + 1
        + (replyLength < 0 ? 0 : replyLength + 1)
        + digits(payloadLength)
        + 2
        + payloadLength
        + 2;
  }

  private static int digits(int v) {
    int n = 1;
    while (v >= 10) {
      v /= 10;
      n++;
    }
    return n;
  }

  private static void writeDecimal(ByteBuf out, int v) {
    if (v >= 10) {
      writeDecimal(out, v / 10);
    }
    out.writeByte('0' + v % 10);
  }
}
