package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * {@code churn} (QMsgBus only): one register of a skill nobody has used yet, its ok, a deregister
 * of it, its ok, then the next fresh skill; one control packet in flight per connection. Each
 * register's round trip (sent to ok) is a latency sample; on a cluster node the ok waits for
 * Redis's SUBSCRIBE confirm, so that is what this measures there.
 */
final class ChurnWire implements Wire {

  private static final String REGISTER_ID = "\"id\":\"r\"";
  private static final String DEREGISTER_ID = "\"id\":\"d\"";

  private final Receiver conn;
  private final String prefix;
  private final long intervalNanos;
  private long due;
  private long next;
  private String skill;
  private long sentAt;

  /**
   * @param conn the receiver this wire belongs to (it counts and records)
   * @param prefix the skills are {@code prefix + 0, prefix + 1, ...}
   * @param rate registers per second on this connection; 0 = each as soon as the last is done
   */
  ChurnWire(BenchConn conn, String prefix, double rate) {
    this.conn = (Receiver) conn;
    this.prefix = prefix;
    this.intervalNanos = rate > 0 ? (long) (1e9 / rate) : 0;
  }

  @Override
  public void opened() {
    conn.subscribed();
    register();
  }

  private void register() {
    if (conn.run.stopping()) {
      return;
    }
    if (intervalNanos > 0) {
      long now = System.nanoTime();
      if (due == 0) {
        due = now;
      }
      if (now < due) {
        conn.channel
            .eventLoop()
            .schedule(this::register, due - now, java.util.concurrent.TimeUnit.NANOSECONDS);
        return;
      }
      due = Math.max(due + intervalNanos, now - 10 * intervalNanos); // catch up, not in a burst
    }
    skill = prefix + next++;
    sentAt = System.nanoTime();
    send("{\"register\":\"" + skill + "\"," + REGISTER_ID + "}");
  }

  private void send(String json) {
    conn.writeFrame(WsFrames.OP_TEXT, json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void frame(int opcode, ByteBuf buf, int index, int length) {
    if (opcode != WsFrames.OP_TEXT) {
      conn.fail("unexpected frame opcode " + opcode + " (churn registers skills nobody publishes)");
      return;
    }
    String text = BenchConn.text(buf, index, length).replace(" ", "");
    boolean ok = text.contains("\"ok\":true");
    if (ok && text.contains(REGISTER_ID)) {
      conn.registered(sentAt);
      send("{\"deregister\":\"" + skill + "\"," + DEREGISTER_ID + "}");
    } else if (ok && text.contains(DEREGISTER_ID)) {
      register();
    } else {
      conn.fail("server says: " + text);
    }
  }

  @Override
  public void ack(byte[] replyTo) {
    throw new UnsupportedOperationException("churn receives no packets");
  }

  @Override
  public ByteBuf encode(Publisher p, int n) {
    throw new UnsupportedOperationException("churn has no publishers");
  }
}
