package io.qmsgbus.jmh;

import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.PacketClassifier;
import java.nio.charset.StandardCharsets;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per packet, the server first asks "data or control, and which skill?". A data packet should cost
 * the same whatever its payload (the classifier stops at {@code skill}); this shows whether it
 * does, and what one control packet costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketClassifierBenchmark {

  /** Total packet size in bytes. */
  @Param({"100", "1000"})
  public int size;

  private PacketClassifier classifier;
  private byte[] dataSkillFirst;
  private byte[] dataSkillLast;
  private byte[] ack;
  private byte[] register;

  @Setup
  public void setup() {
    classifier = new PacketClassifier(256);
    dataSkillFirst = Packets.data("bench", size);
    dataSkillLast = Packets.dataSkillLast("bench", size);
    ack = "{\"ack\":\"\"}".getBytes(StandardCharsets.UTF_8);
    register =
        "{\"register\":[\"a\",\"b\"],\"fastpush\":true,\"id\":7}".getBytes(StandardCharsets.UTF_8);
  }

  /** {"skill":"bench","t":...,"p":"xxx"}: the bench's packet, skill first. */
  @Benchmark
  public Packet dataSkillFirst() {
    return classifier.classify(dataSkillFirst, 0, dataSkillFirst.length);
  }

  /** {"payload":"xxx...","skill":"bench"}: the whole payload is read before the skill. */
  @Benchmark
  public Packet dataSkillLast() {
    return classifier.classify(dataSkillLast, 0, dataSkillLast.length);
  }

  /** {"ack":""}: the default mode's per-packet control. */
  @Benchmark
  public Packet ackControl() {
    return classifier.classify(ack, 0, ack.length);
  }

  @Benchmark
  public Packet registerControl() {
    return classifier.classify(register, 0, register.length);
  }
}
