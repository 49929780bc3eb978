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
 * Routing one packet: the skill lookup plus handing each receiver its own reference to the packet
 * (each receiver here releases at once, as a session's write eventually does). In the server the
 * skill name is a fresh String per packet (its hash not yet cached), so both cases are measured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalRouterBenchmark {

  @Param({"1", "4"})
  public int receiversPerSkill;

  @Param({"1", "10000"})
  public int skills;

  private LocalRouter router;
  private String[] names;
  private char[][] nameChars;
  private ByteBuf packet;
  private int next;

  /** A receiver that frees what it is offered, as a session does once the packet is written. */
  static final class Releasing implements Receiver {
    long offered;

    @Override
    public void offer(Message m) {
      offered++;
      m.release();
    }
  }

  @Setup
  public void setup() {
    router = new LocalRouter();
    names = new String[skills];
    nameChars = new char[skills][];
    for (int s = 0; s < skills; s++) {
      names[s] = String.format(Locale.ROOT, "skill.%05d", s);
      nameChars[s] = names[s].toCharArray();
      for (int r = 0; r < receiversPerSkill; r++) {
        router.subscribe(names[s], new Releasing());
      }
    }
    packet = PooledByteBufAllocator.DEFAULT.directBuffer(100);
    packet.writeBytes(Packets.data("skill.00000", 100));
  }

  @TearDown
  public void tearDown() {
    packet.release();
  }

  private int nextSkill() {
    int i = next;
    next = i + 1 == skills ? 0 : i + 1;
    return i;
  }

  /** As the post office does: one envelope per packet, routed, then its own reference let go. */
  private int route(String skill) {
    Message m = Message.of(skill, packet.retain(), 1, 1, null, ByteAccount.NONE);
    try {
      return router.publish(m);
    } finally {
      m.release();
    }
  }

  @Benchmark
  public int publishCachedSkillString() {
    return route(names[nextSkill()]);
  }

  @Benchmark
  public int publishFreshSkillString() {
    return route(new String(nameChars[nextSkill()]));
  }
}
