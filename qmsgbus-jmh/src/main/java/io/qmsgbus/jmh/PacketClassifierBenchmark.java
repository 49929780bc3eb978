package io.qmsgbus.jmh;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.qmsgbus.protocol.JsonScanner;
import io.qmsgbus.protocol.Packet;
import io.qmsgbus.protocol.PacketClassifier;
import java.io.IOException;
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
 * Per packet, the server first asks "data or control, and which skill?". Every data packet is
 * validated whole by the {@link JsonScanner} (so its cost grows with its size); this shows what
 * that costs against Jackson's streaming parser doing the same validation, and what one control
 * packet costs.
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
  private byte[] dataEscapes;

  @Setup
  public void setup() {
    classifier = new PacketClassifier(256, 256, 1_000);
    dataSkillFirst = Packets.data("bench", size);
    dataSkillLast = Packets.dataSkillLast("bench", size);
    ack = "{\"ack\":\"\"}".getBytes(StandardCharsets.UTF_8);
    StringBuilder esc = new StringBuilder("{\"skill\":\"bench\",\"p\":\"");
    while (esc.length() < size - 3) {
      esc.append("a\\\"b\\n\\u00e9c\\\\");
    }
    dataEscapes = esc.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
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

  // -- the validating scanner (every data packet is validated whole) against Jackson doing the same

  /** The scanner alone over the skill-first packet: validation plus finding skill and id. */
  @Benchmark
  public JsonScanner scanSkillFirst() {
    return JsonScanner.scan(dataSkillFirst, 0, dataSkillFirst.length);
  }

  /** Jackson's streaming parser validating the same packet whole (every string decoded). */
  @Benchmark
  public int jacksonSkillFirst() throws IOException {
    return jacksonValidate(dataSkillFirst);
  }

  /** A payload string full of escapes ({@code \"}, {@code \n}, {@code \u00e9}). */
  @Benchmark
  public JsonScanner scanEscapes() {
    return JsonScanner.scan(dataEscapes, 0, dataEscapes.length);
  }

  @Benchmark
  public int jacksonEscapes() throws IOException {
    return jacksonValidate(dataEscapes);
  }

  /** The classifier on the escapes packet: scan, then the skill name's grammar. */
  @Benchmark
  public Packet dataEscapes() {
    return classifier.classify(dataEscapes, 0, dataEscapes.length);
  }

  private static int jacksonValidate(byte[] b) throws IOException {
    int tokens = 0;
    try (JsonParser p = JSON.createParser(b, 0, b.length)) {
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.VALUE_STRING || t == JsonToken.FIELD_NAME) {
          tokens += p.getTextLength(); // forces the string to be decoded (and its UTF-8 checked)
        }
        tokens++;
      }
    }
    return tokens;
  }

  private static final JsonFactory JSON = new JsonFactory();
}
