package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import io.qmsgbus.client.Message;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qmsgbus req}: send one request and print its answer. */
@Command(
    name = "req",
    mixinStandardHelpOptions = true,
    description = {
      "Sends a request {\"skill\":SKILL,\"reply\":INBOX,\"id\":N,\"payload\":PAYLOAD}",
      "and prints the payload of its answer as one line on stdout: the first packet",
      "on the private INBOX with \"re\":N, as 'qmsgbus reply' and the clients'",
      "respond helpers send it.",
      "A PAYLOAD that is valid JSON is sent as is; any other text as a JSON string.",
      "Without PAYLOAD, all of stdin is the payload."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:answered; the answer's payload is on stdout",
      "1:cannot connect, connection lost, or the server refused the request",
      "2:bad usage (options, arguments)",
      "3:no receivers for SKILL (the server's answer, at once)",
      "4:no answer within --timeout"
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus req svc.time '{\"tz\": \"UTC\"}'",
      "  qmsgbus req svc.echo hello --timeout 500ms",
      "  qmsgbus reply svc.echo --echo      # the other side"
    })
final class ReqCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SKILL", description = "The skill to ask.")
  String skill;

  @Parameters(index = "1", arity = "0..1", paramLabel = "PAYLOAD", description = "The payload.")
  String payload;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description =
          "How long to wait for the answer, e.g. 500ms, 5s, 1m (default ${DEFAULT-VALUE}).")
  Duration timeout;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    if (timeout.isZero()) {
      System.err.println("qmsgbus req: --timeout must be positive");
      return 2;
    }
    String text =
        payload != null
            ? payload
            : new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try (BusClient client =
        connection
            .apply(BusClient.builder())
            .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
            .build()) {
      client.onError(e -> System.err.println("qmsgbus req: server says: " + e));
      client.connect();
      Message answer;
      try {
        // the request's own timeout ends it; the extra second only guards against a lost wake-up
        answer =
            client
                .request(skill, JsonText.jsonOrString(text), timeout)
                .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TimeoutException) {
          System.err.println("qmsgbus req: no answer from '" + skill + "' within " + timeout);
          return 4;
        }
        System.err.println("qmsgbus req: " + cause.getMessage());
        return cause instanceof BusException
                && cause.getMessage() != null
                && cause.getMessage().startsWith("no receivers for ")
            ? 3
            : 1;
      } catch (TimeoutException e) {
        System.err.println("qmsgbus req: no answer from '" + skill + "' within " + timeout);
        return 4;
      }
      String shown = answer.payloadJson() != null ? answer.payloadJson() : answer.text();
      out.println(shown.replace("\r", "").replace('\n', ' '));
      return 0;
    } catch (Exception e) {
      System.err.println("qmsgbus req: " + e.getMessage());
      return 1;
    }
  }
}
