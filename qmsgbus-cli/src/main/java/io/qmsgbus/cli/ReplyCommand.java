package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.Message;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qmsgbus reply}: answer the requests of a skill, like {@code nats reply}. */
@Command(
    name = "reply",
    mixinStandardHelpOptions = true,
    description = {
      "Registers for SKILL and answers each request (a packet with \"reply\") by",
      "publishing {\"skill\":REPLY,\"re\":ID,\"payload\":ANSWER}, ID the request's id.",
      "--echo answers with the request's payload. --command runs CMD with the",
      "shell (sh -c) for each request, one at a time, with the request's payload",
      "on its stdin (a JSON string as its text, anything else as JSON); its stdout",
      "is ANSWER, sent as is if it is JSON, else as a JSON string. A CMD that",
      "exits non-zero answers nothing (its stderr is shown). Packets of SKILL",
      "without \"reply\" are ignored."
    },
    exitCodeListHeading = "%nExit status:%n",
    exitCodeList = {
      "0:answered --count requests (or interrupted)",
      "1:cannot connect or register",
      "2:bad usage (options, arguments)"
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus reply svc.echo --echo",
      "  qmsgbus reply svc.upper --command 'tr a-z A-Z'",
      "  qmsgbus reply svc.time --command 'date -u +%%s'",
      "  qmsgbus req svc.upper hello        # prints \"HELLO\""
    })
final class ReplyCommand implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "SKILL", description = "The skill to answer.")
  String skill;

  static final class Mode {
    @Option(
        names = "--command",
        paramLabel = "CMD",
        description = "Answer with the stdout of this shell command, run once per request.")
    String command;

    @Option(names = "--echo", description = "Answer with the request's payload.")
    boolean echo;
  }

  @ArgGroup(multiplicity = "1")
  Mode mode;

  @Option(
      names = "--count",
      paramLabel = "N",
      defaultValue = "0",
      description = "Exit after answering this many requests; 0 = run until interrupted (default).")
  long count;

  @Mixin ConnectionOptions connection;

  @Override
  public Integer call() throws Exception {
    if (count < 0) {
      System.err.println("qmsgbus reply: --count must be >= 0");
      return 2;
    }
    AtomicLong answered = new AtomicLong();
    CountDownLatch enough = new CountDownLatch(1);
    try (BusClient client = connection.apply(BusClient.builder()).build()) {
      client.onError(e -> System.err.println("qmsgbus reply: server says: " + e));
      client.connect();
      client
          .respond(
              skill,
              request -> {
                String answer = answer(request);
                if (answer != null && count > 0 && answered.incrementAndGet() >= count) {
                  enough.countDown();
                }
                return answer;
              })
          .get(10, TimeUnit.SECONDS);
      System.err.println("qmsgbus reply: answering '" + skill + "' on " + client.uri());
      enough.await();
      // the last answer is handed to the socket after the handler returns; closing now would
      // race it. The client's close waits for the server's close answer, which follows it.
      return 0;
    } catch (java.util.concurrent.ExecutionException e) {
      System.err.println("qmsgbus reply: " + e.getCause().getMessage());
      return 1;
    } catch (InterruptedException e) {
      return 0;
    } catch (Exception e) {
      System.err.println("qmsgbus reply: " + e.getMessage());
      return 1;
    }
  }

  /** The answer to {@code request}, or {@code null} for none. */
  private String answer(Message request) {
    String payload = request.payloadJson() == null ? "null" : request.payloadJson();
    if (mode.echo) {
      return payload;
    }
    try {
      return JsonText.jsonOrString(stripNewline(run(JsonText.unquoted(payload))));
    } catch (IOException e) {
      System.err.println("qmsgbus reply: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Runs the command with {@code input} on stdin; its stdout, or an IOException if it failed. */
  private String run(String input) throws IOException, InterruptedException {
    boolean windows = System.getProperty("os.name", "").startsWith("Windows");
    List<String> argv =
        windows ? List.of("cmd", "/c", mode.command) : List.of("sh", "-c", mode.command);
    Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    Thread reader =
        new Thread(
            () -> {
              try (InputStream in = p.getInputStream()) {
                in.transferTo(stdout);
              } catch (IOException e) {
                // the process's stdout closed early: what was read is the answer
              }
            },
            "qmsgbus-reply-stdout");
    reader.start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(input.getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      // the command does not read its stdin: fine
    }
    int status = p.waitFor();
    reader.join();
    if (status != 0) {
      throw new IOException("'" + mode.command + "' exited with status " + status + ": no answer");
    }
    return stdout.toString(StandardCharsets.UTF_8);
  }

  private static String stripNewline(String s) {
    return s.endsWith("\r\n")
        ? s.substring(0, s.length() - 2)
        : s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }
}
