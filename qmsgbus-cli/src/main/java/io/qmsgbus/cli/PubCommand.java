package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
      "A PAYLOAD that is valid JSON is sent as is; any other text is sent as a JSON string.",
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

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    if (count < 1 || rate < 0) {
      System.err.println("qmsgbus pub: --count must be >= 1 and --rate >= 0");
      return 2;
    }
    java.util.concurrent.atomic.AtomicInteger refused =
        new java.util.concurrent.atomic.AtomicInteger();
    try (BusClient client =
        connection
            .apply(BusClient.builder())
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      client.onError(
          e -> {
            refused.incrementAndGet();
            System.err.println("qmsgbus pub: server says: " + e);
          });
      client.connect();
      Pacer pacer = new Pacer(rate);
      long sent = 0;
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
        for (String line; (line = in.readLine()) != null; ) {
          if (!line.isBlank()) {
            pacer.await();
            last = send(client, line);
            sent++;
          }
        }
      }
      last.get(30, TimeUnit.SECONDS);
      System.err.println("qmsgbus pub: published " + sent + " packet(s) to '" + skill + "'");
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus pub: " + e.getMessage());
      return 2;
    } catch (Exception e) {
      System.err.println("qmsgbus pub: " + e.getMessage());
      return 1;
    }
    // closed, after the server's close answer: every error it sent has arrived. One (e.g. not
    // allowed to publish there) makes the exit status 1.
    return refused.get() == 0 ? 0 : 1;
  }

  private CompletableFuture<Void> send(BusClient client, String text) {
    if (raw) {
      return client.publishRaw(text.getBytes(StandardCharsets.UTF_8));
    }
    try {
      return client.publishJson(skill, text);
    } catch (IllegalArgumentException notJson) {
      return client.publishText(skill, text);
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
