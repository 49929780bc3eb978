package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * QMsgBus (PROTOCOL.md): register with a control packet that carries an id and wait for its ok;
 * data packets go out one per BINARY frame, come back one per BINARY frame; ack is a TEXT frame.
 */
final class QmsgbusWire implements Wire {

  private static final byte[] ACK = "{\"ack\":\"\"}".getBytes(StandardCharsets.US_ASCII);
  private static final String REGISTER_ID = "1";

  private final BenchConn conn;
  private final List<String> subscriptions;
  private static final String CONFIRM_PREFIX = "{\"id\":\"";

  private final boolean fastpush;
  private final boolean confirms;

  /**
   * @param confirms a publisher that asks for confirms ({@code {"confirms":true}}); its packets
   *     carry string ids ({@link Payload#ofWithId}), whose replies go to {@link
   *     BenchConn#confirmed}
   */
  QmsgbusWire(BenchConn conn, List<String> subscriptions, boolean fastpush, boolean confirms) {
    this.conn = conn;
    this.subscriptions = subscriptions;
    this.fastpush = fastpush;
    this.confirms = confirms;
  }

  @Override
  public void opened() {
    if (subscriptions.isEmpty() && !fastpush && !confirms) {
      conn.subscribed();
      return;
    }
    StringBuilder json = new StringBuilder("{");
    if (!subscriptions.isEmpty()) {
      json.append("\"register\":[");
      for (int i = 0; i < subscriptions.size(); i++) {
        json.append(i == 0 ? "\"" : ",\"").append(subscriptions.get(i)).append('"');
      }
      json.append("],");
    }
    if (fastpush) {
      json.append("\"fastpush\":true,");
    }
    if (confirms) {
      json.append("\"confirms\":true,");
    }
    json.append("\"id\":").append(REGISTER_ID).append('}');
    conn.writeFrame(WsFrames.OP_TEXT, json.toString().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void frame(int opcode, ByteBuf buf, int index, int length) {
    if (opcode == WsFrames.OP_BINARY) {
      conn.data(null, buf, index, length);
      return;
    }
    if (opcode != WsFrames.OP_TEXT) {
      conn.fail("unexpected frame opcode " + opcode);
      return;
    }
    // replies, errors and drop notices are TEXT (PROTOCOL.md section 5)
    String text = BenchConn.text(buf, index, length).replace(" ", "");
    if (confirms && text.startsWith(CONFIRM_PREFIX)) {
      long id = parseLong(text, CONFIRM_PREFIX.length());
      boolean ok = text.contains("\"ok\":true");
      conn.confirmed(id, ok, ok ? null : text);
    } else if (text.contains("\"ok\":true") && text.contains("\"id\":" + REGISTER_ID)) {
      conn.subscribed();
    } else if (text.startsWith("{\"dropped\":")) {
      conn.run.dropped(parseLong(text, "{\"dropped\":".length()), conn.name + ": " + text);
    } else {
      conn.fail("server says: " + text);
    }
  }

  private static long parseLong(String s, int from) {
    long v = 0;
    for (int i = from; i < s.length() && Character.isDigit(s.charAt(i)); i++) {
      v = v * 10 + (s.charAt(i) - '0');
    }
    return v;
  }

  @Override
  public void ack(byte[] replyTo) {
    conn.writeFrame(WsFrames.OP_TEXT, ACK);
  }

  @Override
  public ByteBuf encode(Publisher p, int n) {
    int size = 0;
    for (int k = 0; k < n; k++) {
      int len = p.payloadLength(p.peekSkill(k));
      size += WsFrames.headerLength(len) + len;
    }
    ByteBuf out = p.ctx.alloc().directBuffer(size);
    for (int k = 0; k < n; k++) {
      Payload payload = p.nextPacket();
      WsFrames.writeHeader(out, WsFrames.OP_BINARY, payload.length());
      out.writeBytes(payload.bytes());
    }
    return out;
  }
}
