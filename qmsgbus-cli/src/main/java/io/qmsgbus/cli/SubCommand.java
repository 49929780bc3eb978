package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import io.qmsgbus.client.Message;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qmsgbus sub}: print packets of some skills, one per line, acking each. */
@Command(
    name = "sub",
    mixinStandardHelpOptions = true,
    description = {
      "Registers for the skills and prints each packet received as one line on stdout,",
      "acking as it goes (the bus's default window of one packet)."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus sub skill1",
      "  qmsgbus sub skill1 skill2 --fastpush",
      "  qmsgbus sub skill1 --count 10 > ten-packets.jsonl"
    })
final class SubCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "SKILL", description = "Skills to register for.")
  List<String> skills;

  @Option(
      names = "--fastpush",
      description = "Ask the server to push packets without waiting for acks.")
  boolean fastpush;

  @Option(
      names = "--buffering",
      description = "Ask the server to keep the last packet sent (for GET).")
  boolean buffering;

  @Option(
      names = "--count",
      defaultValue = "0",
      description = "Exit after this many packets; 0 = run until interrupted (default).")
  long count;

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      defaultValue = "0",
      description =
          "Exit with status 3 if no packet arrives for this long; 0 = wait forever (default).")
  long timeoutSeconds;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    BusClient built;
    try {
      built = connection.apply(BusClient.builder()).build();
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus sub: " + e.getMessage());
      return CliErrors.USAGE;
    }
    try (BusClient client = built) {
      client.onError(e -> System.err.println("qmsgbus sub: server says: " + e));
      client.connect();
      if (buffering) {
        client.buffering(true).get(10, TimeUnit.SECONDS);
      }
      if (fastpush) {
        client.fastpush(true).get(10, TimeUnit.SECONDS);
      }
      client.register(skills.toArray(String[]::new)).get(10, TimeUnit.SECONDS);
      System.err.println(
          "qmsgbus sub: registered for " + String.join(", ", skills) + " on " + client.uri());
      Duration wait =
          timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds) : Duration.ofDays(365);
      for (long n = 0; count == 0 || n < count; n++) {
        Message m = client.take(wait);
        if (m == null) {
          System.err.println("qmsgbus sub: no packet for " + timeoutSeconds + "s");
          return CliErrors.TIMEOUT;
        }
        out.println(m.text().replace("\r", "").replace('\n', ' '));
      }
      return CliErrors.OK;
    } catch (BusException e) {
      System.err.println("qmsgbus sub: " + CliErrors.connectFailure(e, connection.urls()));
      return CliErrors.FAILURE;
    } catch (java.util.concurrent.ExecutionException e) {
      System.err.println("qmsgbus sub: " + CliErrors.message(e.getCause()));
      return CliErrors.FAILURE;
    } catch (java.util.concurrent.TimeoutException e) {
      System.err.println("qmsgbus sub: the server did not answer within 10 s");
      return CliErrors.FAILURE;
    } catch (Exception e) {
      System.err.println("qmsgbus sub: " + CliErrors.message(e));
      return CliErrors.FAILURE;
    }
  }
}
