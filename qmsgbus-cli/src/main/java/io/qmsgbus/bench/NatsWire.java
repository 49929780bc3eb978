package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * NATS over WebSocket: the server's INFO comes first; the client answers CONNECT, its SUBs and a
 * PING, and is subscribed once the PONG comes back (the server handles a connection's protocol in
 * order). A publisher burst is one WebSocket frame of PUBs, as NATS clients send them.
 */
final class NatsWire implements Wire, NatsParser.Listener {

  static final String CONNECT =
      "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":false,\"protocol\":1,"
          + "\"echo\":true,\"name\":\"qmsgbus-bench\",\"lang\":\"java\",\"version\":\"0.1\"}\r\n";

  private static final byte[] PONG = "PONG\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PUB = "PUB ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] EMPTY_REPLY_TAIL = " 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final BenchConn conn;
  private final List<String> subscriptions;
  private final NatsParser parser = new NatsParser(this);
  private boolean connected;

  NatsWire(BenchConn conn, List<String> subscriptions) {
    this.conn = conn;
    this.subscriptions = subscriptions;
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
    hello.append("PING\r\n");
    conn.writeFrame(WsFrames.OP_BINARY, hello.toString().getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public void msg(int sid, byte[] replyTo, ByteBuf buf, int index, int length) {
    conn.data(replyTo, buf, index, length);
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
      total += messageLength(p.subject(skill), reply, p.payloadLength(skill));
    }
    ByteBuf out = p.ctx.alloc().directBuffer(WsFrames.headerLength(total) + total);
    WsFrames.writeHeader(out, WsFrames.OP_BINARY, total);
    for (int k = 0; k < n; k++) {
      byte[] subject = p.subject(p.peekSkill(0));
      Payload payload = p.nextPacket();
      out.writeBytes(PUB).writeBytes(subject).writeByte(' ');
      if (reply != null) {
        out.writeBytes(reply).writeByte(' ');
      }
      writeDecimal(out, payload.length());
      out.writeBytes(CRLF).writeBytes(payload.bytes()).writeBytes(CRLF);
    }
    return out;
  }

  static int messageLength(byte[] subject, byte[] reply, int payloadLength) {
    return PUB.length
        + subject.length
        + 1
        + (reply == null ? 0 : reply.length + 1)
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
