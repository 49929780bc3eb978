package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;

/**
 * What the bytes mean on one connection: QMsgBus's JSON packets or NATS's text protocol. The
 * scenarios and the connection code are shared; only this differs between targets.
 */
interface Wire {

  /**
   * The WebSocket is open: say hello and subscribe; call {@link BenchConn#subscribed()} when in
   * force.
   */
  void opened();

  /** A TEXT, BINARY or continuation frame from the server. */
  void frame(int opcode, ByteBuf buf, int index, int length);

  /** A receiver in acknowledged mode confirms one packet (QMsgBus: ack; NATS: reply). */
  void ack(byte[] replyTo);

  /**
   * Encodes the publisher's next {@code n} packets, each stamped with its send time, as ready frame
   * bytes.
   */
  ByteBuf encode(Publisher p, int n);
}
