package io.qmsgbus.cli;

import io.qmsgbus.admin.JsonTree;
import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qmsgbus pub}: publish packets of one skill. */
@Command(
    name = "pub",
    mixinStandardHelpOptions = true,
    description = {
      "Publishes data packets {\"skill\":SKILL,\"payload\":PAYLOAD}.",
      "A PAYLOAD that is valid JSON is sent as is; other text as a JSON string (--text:",
      "always). Text starting with '{' or '[' that does not parse is refused (exit 2).",
      "Without PAYLOAD, each line of stdin is one packet."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus pub skill1 '{\"temp\": 21.5}'",
      "  qmsgbus pub skill1 hello --count 1000 --rate 100",
      "  tail -f app.log | qmsgbus pub logs",
      "  qmsgbus pub skill1 --raw '{\"skill\":\"skill1\",\"payload\":1,\"extra\":true}'"
    })
final class PubCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SKILL", description = "The skill to publish to.")
  String skill;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD", description = "The payload.")
  String payload;

  @Option(
      names = "--count",
      defaultValue = "1",
      description = "Send PAYLOAD this many times (default ${DEFAULT-VALUE}).")
  long count;

  @Option(
      names = "--rate",
      defaultValue = "0",
      description = "Packets per second, 0 = as fast as possible (default ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--raw",
      description = "PAYLOAD (or each line) is the whole packet, sent unchanged.")
  boolean raw;

  @Option(
      names = "--text",
      description =
          "Send PAYLOAD (or each line) as a JSON string, even if it is (or looks like) JSON.")
  boolean text;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() {
    if (count < 1 || rate < 0) {
      System.err.println("qmsgbus pub: --count must be >= 1 and --rate >= 0");
      return CliErrors.USAGE;
    }
    if (raw && text) {
      System.err.println("qmsgbus pub: --raw and --text exclude each other: pick one");
      return CliErrors.USAGE;
    }
    if (payload != null) {
      String why = malformed(payload);
      if (why != null) {
        System.err.println("qmsgbus pub: PAYLOAD " + why);
        return CliErrors.USAGE;
      }
    }
    BusClient client;
    try {
      client =
          connection
              .apply(BusClient.builder())
              .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
              .build();
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus pub: " + e.getMessage());
      return CliErrors.USAGE;
    }
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger closeStatus = new AtomicInteger(-1);
    AtomicReference<String> closeReason = new AtomicReference<>("");
    client.onError(
        e -> {
          refused.incrementAndGet();
          System.err.println("qmsgbus pub: server says: " + e);
        });
    client.onClosed(
        (status, reason) -> {
          if (closeStatus.compareAndSet(-1, status)) {
            closeReason.set(reason == null ? "" : reason);
          }
        });
    long sent = 0;
    String failure = null; // why sending stopped, if it did
    int code = CliErrors.OK;
    try {
      client.connect();
      Pacer pacer = new Pacer(rate);
      CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
      if (payload != null) {
        for (long i = 0; i < count; i++) {
          pacer.await();
          last = send(client, payload);
          sent++;
        }
      } else {
        BufferedReader in =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        long lineNumber = 0;
        for (String line; (line = in.readLine()) != null; ) {
          lineNumber++;
          if (line.isBlank()) {
            continue;
          }
          String why = malformed(line);
          if (why != null) {
            System.err.println("qmsgbus pub: line " + lineNumber + " of stdin " + why);
            code = CliErrors.USAGE;
            break;
          }
          pacer.await();
          last = send(client, line);
          sent++;
        }
      }
      last.get(30, TimeUnit.SECONDS);
    } catch (BusException e) {
      client.close();
      System.err.println("qmsgbus pub: " + CliErrors.connectFailure(e, connection.urls()));
      return CliErrors.FAILURE;
    } catch (IllegalArgumentException e) {
      client.close();
      System.err.println("qmsgbus pub: " + e.getMessage());
      return CliErrors.USAGE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    } catch (TimeoutException e) {
      failure = "the packets were not written within 30 s (is the server reading?)";
    } catch (ExecutionException | IOException e) {
      failure = CliErrors.message(e);
    }
    // closed, after the server's close answer: every error it sent has arrived
    client.close();
    int status = closeStatus.get();
    if (status == CliErrors.MESSAGE_TOO_BIG) {
      System.err.println(
          "qmsgbus pub: the packet is bigger than the server's maxFrameBytes (it closed the"
              + " connection with 1009): send less, or raise maxFrameBytes on the server");
      return CliErrors.FAILURE;
    }
    if (status == 1006 && failure != null && largest >= LIKELY_TOO_BIG) {
      // the server closed (1009) while a big frame was still being written: the write failed
      // before its close frame could be read
      System.err.println(
          "qmsgbus pub: the server dropped the connection while a "
              + largest
              + "-byte packet was being sent: it is likely bigger than the server's maxFrameBytes"
              + " (1048576 by default): send less, or raise maxFrameBytes on the server");
      return CliErrors.FAILURE;
    }
    if (status == 1006 && sent > 0) {
      // also how a too-big packet often ends: the server closes the socket right after its 1009,
      // and the client's next write makes it reset the connection before the close frame is read
      System.err.println(
          "qmsgbus pub: the server dropped the connection without a close frame: a packet bigger"
              + " than its maxFrameBytes does that (send less, or raise maxFrameBytes on the"
              + " server), as does a server that stopped");
      return CliErrors.FAILURE;
    }
    if (status != -1 && status != 1000) {
      String reason = closeReason.get().isBlank() ? "" : " \"" + closeReason.get() + "\"";
      System.err.println(
          "qmsgbus pub: the server closed the connection ("
              + status
              + reason
              + ")"
              + (status == 1006 && failure != null ? ": " + failure : "")
              + "; packets sent before may not all have arrived");
      return CliErrors.FAILURE;
    }
    if (failure != null) {
      System.err.println("qmsgbus pub: sending failed: " + failure);
      return CliErrors.FAILURE;
    }
    if (refused.get() > 0) {
      return CliErrors.FAILURE; // the server's reasons are printed above
    }
    if (code != CliErrors.OK) {
      return code;
    }
    System.err.println("qmsgbus pub: published " + sent + " packet(s) to '" + skill + "'");
    return CliErrors.OK;
  }

  /**
   * Why {@code s} may not be sent, or {@code null}: text that starts like JSON ({@code {} or
   * {@code [}) but does not parse is a mistake more often than a string, unless {@code --text}
   * says so; a {@code --raw} packet must parse whatever it starts with.
   */
  String malformed(String s) {
    if (text) {
      return null;
    }
    String t = s.strip();
    if (!raw && !t.startsWith("{") && !t.startsWith("[")) {
      return null;
    }
    try {
      JsonTree.parse(s);
      return null;
    } catch (IOException | RuntimeException e) {
      String why = CliErrors.message(e).replaceAll("\\s*at \\[Source.*$", "");
      return raw
          ? "is not a JSON packet (" + why + ")"
          : "looks like JSON but does not parse ("
              + why
              + "): fix it, or pass --text to send it as a JSON string";
    }
  }

  /**
   * A packet this big whose sending fails on a dropped connection was most likely refused for its
   * size: a smaller one is written before the server's close frame (1009) can cut it short.
   */
  private static final int LIKELY_TOO_BIG = 64 * 1024;

  /** The largest payload sent so far, in UTF-8 bytes (counted from {@link #LIKELY_TOO_BIG} on). */
  private long largest;

  private CompletableFuture<Void> send(BusClient client, String line) {
    if (line.length() >= LIKELY_TOO_BIG / 4) {
      largest = Math.max(largest, line.getBytes(StandardCharsets.UTF_8).length);
    }
    if (raw) {
      return client.publishRaw(line.getBytes(StandardCharsets.UTF_8));
    }
    if (text) {
      return client.publishText(skill, line);
    }
    try {
      return client.publishJson(skill, line);
    } catch (IllegalArgumentException notJson) {
      String t = line.strip();
      if (t.startsWith("{") || t.startsWith("[")) {
        throw notJson; // malformed() let it through, the client does not: not a string either
      }
      return client.publishText(skill, line);
    }
  }

  /** Spaces sends evenly at a fixed rate; a no-op at rate 0. */
  private static final class Pacer {
    private final long intervalNanos;
    private long next = System.nanoTime();

    Pacer(double perSecond) {
      this.intervalNanos = perSecond == 0 ? 0 : (long) (1e9 / perSecond);
    }

    void await() {
      if (intervalNanos == 0) {
        return;
      }
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      next += intervalNanos;
    }
  }
}
