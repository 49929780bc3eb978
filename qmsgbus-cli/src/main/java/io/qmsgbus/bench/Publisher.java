package io.qmsgbus.bench;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * A publishing connection. Packets go out in bursts, written into one pooled buffer and flushed
 * once. As fast as possible (rate 0) it keeps publishing while the socket is writable and the
 * {@link Flow} window has room, yielding to the event loop between bursts; at a fixed rate a timer
 * sends what is due. Rotates through its skills packet by packet.
 */
final class Publisher extends BenchConn {

  private final Payload[] payloads;
  private final byte[][] subjects;
  private final int[] fan;
  private final int maxFan;
  private final byte[] replySubject;
  private final double rate;
  private final int burst;
  private final Runnable pumpTask = this::pump;
  final AtomicBoolean parked = new AtomicBoolean();

  private int rotation;
  private long startNanos;
  private long sent;
  private long published;
  private long expected;
  private long replies;
  private long skipped;
  private volatile long sentSeen;
  private volatile long expectedSeen;
  private volatile long repliesSeen;
  private ScheduledFuture<?> timer;

  private final boolean confirming;
  private final long[] ringSentAt;
  private final long[] ringId;
  private final Histogram confirmLatency;
  private long lastId;
  private long confirms;
  private long confirmedInWindow;
  private volatile long confirmsSeen;

  /**
   * @param skills the skills it publishes to, in rotation
   * @param fan receivers per skill (copies each packet makes)
   * @param replySubject NATS ack mode: where receivers reply; else null
   * @param rate packets per second for this publisher, 0 = as fast as the window allows
   */
  Publisher(
      BenchRun run,
      String name,
      String[] skills,
      int[] fan,
      int size,
      String replySubject,
      double rate,
      int burst) {
    this(
        run,
        name,
        skills,
        fan,
        size,
        replySubject,
        rate,
        burst,
        0,
        c ->
            run.settings().target() == Target.NATS_WS
                ? new NatsWire(c, replySubject == null ? List.of() : List.of(replySubject))
                : new QmsgbusWire(c, List.of(), false, false));
  }

  /**
   * @param confirmWindow > 0: packets carry ids and the wire reports their confirms ({@link
   *     #confirmed}); at most this many unconfirmed (the {@link Flow} enforces it)
   * @param wire the connection's wire
   */
  Publisher(
      BenchRun run,
      String name,
      String[] skills,
      int[] fan,
      int size,
      String replySubject,
      double rate,
      int burst,
      int confirmWindow,
      Function<BenchConn, Wire> wire) {
    super(run, name, wire);
    this.payloads = new Payload[skills.length];
    this.subjects = new byte[skills.length][];
    this.confirming = confirmWindow > 0;
    int ring = Integer.highestOneBit(Math.max(1, confirmWindow) * 4 - 1) << 1;
    this.ringSentAt = confirming ? new long[ring] : null;
    this.ringId = confirming ? new long[ring] : null;
    this.confirmLatency = new Histogram(3);
    int mf = 1;
    for (int i = 0; i < skills.length; i++) {
      payloads[i] = confirming ? Payload.ofWithId(skills[i], size) : Payload.of(skills[i], size);
      subjects[i] = skills[i].getBytes(StandardCharsets.US_ASCII);
      mf = Math.max(mf, fan[i]);
    }
    this.fan = fan.clone();
    this.maxFan = mf;
    this.replySubject =
        replySubject == null ? null : replySubject.getBytes(StandardCharsets.US_ASCII);
    this.rate = rate;
    this.burst = burst;
  }

  /** Starts publishing (any thread). */
  void start() {
    channel
        .eventLoop()
        .execute(
            () -> {
              startNanos = System.nanoTime();
              if (rate <= 0) {
                pump();
              } else {
                long periodNanos =
                    Math.max(TimeUnit.MICROSECONDS.toNanos(500), (long) (1e9 / rate));
                periodNanos = Math.min(periodNanos, TimeUnit.MILLISECONDS.toNanos(1));
                timer =
                    channel
                        .eventLoop()
                        .scheduleAtFixedRate(this::tick, 0, periodNanos, TimeUnit.NANOSECONDS);
              }
            });
  }

  /** Stops publishing (any thread). */
  void stop() {
    channel
        .eventLoop()
        .execute(
            () -> {
              if (timer != null) {
                timer.cancel(false);
              }
            });
  }

  private void pump() {
    if (run.stopping() || !channel.isActive()) {
      return;
    }
    if (!channel.isWritable()) {
      return; // channelWritabilityChanged calls pump again
    }
    int n = room();
    if (n <= 0) {
      return; // parked: a receiver's progress unparks
    }
    send(Math.min(n, burst));
    channel.eventLoop().execute(pumpTask); // after the loop has done its I/O
  }

  private void tick() {
    if (run.stopping() || !channel.isActive()) {
      timer.cancel(false);
      return;
    }
    long due = (long) ((System.nanoTime() - startNanos) * rate / 1e9) + 1 - sent - skipped;
    // an open-loop rate: what could not be sent within ~5 ms (window full, socket not writable) is
    // skipped, not sent later in a catch-up burst that would exceed the offered rate
    long maxBacklog = Math.max(burst, (long) (rate * 0.005));
    if (due > maxBacklog) {
      skipped += due - maxBacklog;
      due = maxBacklog;
    }
    while (due > 0 && channel.isWritable()) {
      int n = room();
      if (n <= 0) {
        return;
      }
      int k = (int) Math.min(Math.min(due, n), burst);
      send(k);
      due -= k;
    }
  }

  /** Packets the window allows now; when none, parks (and re-checks, so no wake-up is lost). */
  private int room() {
    int n = (int) Math.min(Integer.MAX_VALUE, run.flow().room(maxFan));
    if (n > 0) {
      return n;
    }
    parked.set(true);
    n = (int) Math.min(Integer.MAX_VALUE, run.flow().room(maxFan));
    if (n > 0 && parked.compareAndSet(true, false)) {
      return n;
    }
    return 0;
  }

  /** Called by the flow when room appeared while parked (any thread). */
  void unpark() {
    if (parked.compareAndSet(true, false)) {
      channel.eventLoop().execute(rate <= 0 ? pumpTask : this::tick);
    }
  }

  private void send(int n) {
    ByteBuf frames = wire.encode(this, n);
    long now = System.nanoTime();
    sent += n;
    if (now >= run.measureStart && now < run.measureEnd) {
      published += n;
    }
    expectedSeen = expected;
    sentSeen = sent;
    channel.writeAndFlush(frames, channel.voidPromise());
  }

  @Override
  public void channelWritabilityChanged(io.netty.channel.ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && rate <= 0) {
      pump();
    }
  }

  /** NATS ack mode: a receiver's reply came back through the broker. */
  @Override
  void data(byte[] replyTo, ByteBuf buf, int index, int length) {
    replies++;
  }

  @Override
  void confirmed(long id, boolean ok, String why) {
    long now = System.nanoTime();
    int slot = confirming ? (int) (id & (ringId.length - 1)) : 0;
    if (!confirming || id <= 0 || ringId[slot] != id) {
      run.error(name + ": a confirm for no packet in flight: " + (why == null ? id : why));
      return;
    }
    ringId[slot] = 0;
    confirms++;
    if (!ok) {
      run.error(name + ": not confirmed: " + why);
    } else if (now >= run.measureStart && now < run.measureEnd) {
      confirmedInWindow++;
      confirmLatency.recordValue(Math.max(0, now - ringSentAt[slot]));
    }
  }

  @Override
  void readComplete() {
    if (confirming) {
      confirmsSeen = confirms;
      run.flow().progress();
    } else if (replySubject != null) {
      repliesSeen = replies;
      run.flow().progress();
    }
  }

  // --- for the Wire's encoder: the skill rotation and the stamped templates

  int peekSkill(int ahead) {
    return (rotation + ahead) % payloads.length;
  }

  int payloadLength(int skill) {
    return payloads[skill].length();
  }

  byte[] subject(int skill) {
    return subjects[skill];
  }

  byte[] replySubject() {
    return replySubject;
  }

  /** The next packet in rotation, stamped now. */
  Payload nextPacket() {
    int s = rotation;
    rotation = s + 1 == payloads.length ? 0 : s + 1;
    expected += fan[s];
    Payload p = payloads[s];
    long now = System.nanoTime();
    if (confirming) {
      long id = ++lastId;
      int slot = (int) (id & (ringId.length - 1));
      if (ringId[slot] != 0) {
        run.error(
            name + ": packet " + ringId[slot] + " still unconfirmed " + ringId.length + " later");
      }
      ringId[slot] = id;
      ringSentAt[slot] = now;
      p.stampId(id);
    }
    p.stamp(now);
    return p;
  }

  /** The id {@link #nextPacket} gave the last packet (confirming publishers). */
  long lastId() {
    return lastId;
  }

  /** Confirms (and refusals) received so far, as of the last read batch; any thread. */
  long confirmsSeen() {
    return confirmsSeen;
  }

  boolean confirming() {
    return confirming;
  }

  int maxFan() {
    return maxFan;
  }

  /** Packets confirmed inside the measurement window; on the loop. */
  long confirmed() {
    return confirmedInWindow;
  }

  /** Publish-to-confirm latencies inside the window; copy on the loop. */
  Histogram confirmLatency() {
    return confirmLatency;
  }

  long sentSeen() {
    return sentSeen;
  }

  long expectedSeen() {
    return expectedSeen;
  }

  long repliesSeen() {
    return repliesSeen;
  }

  /** Sends a fixed rate called for but the window or the socket did not allow; on the loop. */
  long skipped() {
    return skipped;
  }

  /** Packets published in the window; read on the event loop. */
  long published() {
    return published;
  }
}
