package io.qmsgbus.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import io.qmsgbus.routing.LocalRouter;
import io.qmsgbus.routing.Receiver;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What wildcard registrations cost a packet: 10,000 skill names with one exact receiver each, and
 * {@code patterns} wildcard registrations besides (all but 100 on other prefixes, so most of the
 * trie is off the names' path, as with many tenants). {@code publishCached} cycles over the 10,000
 * names (the per-name answer is cached after the first packet); {@code publishUncached} sends each
 * packet to a name not seen before, so every one walks the trie. With {@code patterns = 0} the
 * router takes the exact path alone, which is what {@link LocalRouterBenchmark} measures.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WildcardRouterBenchmark {

  @Param({"0", "100000"})
  public int patterns;

  private static final int SKILLS = 10_000;

  private LocalRouter router;
  private String[] names;
  private ByteBuf packet;
  private int next;
  private long fresh;

  static final class Releasing implements Receiver {
    @Override
    public void offer(Message m) {
      m.release();
    }
  }

  @Setup
  public void setup() {
    router = new LocalRouter();
    names = new String[SKILLS];
    for (int s = 0; s < SKILLS; s++) {
      names[s] = String.format(Locale.ROOT, "skill.%05d.temp", s);
      router.subscribe(names[s], new Releasing());
    }
    for (int p = 0; p < patterns; p++) {
      String pattern =
          p < 100
              ? String.format(Locale.ROOT, "skill.%05d.*", p) // matches one name each
              : String.format(Locale.ROOT, "tenant%06d.%s", p, p % 2 == 0 ? "*" : ">");
      router.subscribe(pattern, new Releasing());
    }
    packet = PooledByteBufAllocator.DEFAULT.directBuffer(100);
    packet.writeBytes(Packets.data("skill.00000.temp", 100));
  }

  @TearDown
  public void tearDown() {
    packet.release();
  }

  private int route(String skill) {
    Message m = Message.of(skill, packet.retain(), 1, 1, null, ByteAccount.NONE);
    try {
      return router.publish(m);
    } finally {
      m.release();
    }
  }

  @Benchmark
  public int publishCached() {
    int i = next;
    next = i + 1 == SKILLS ? 0 : i + 1;
    return route(names[i]);
  }

  @Benchmark
  public int publishUncached() {
    return route("skill.x" + (fresh++) + ".temp");
  }
}
