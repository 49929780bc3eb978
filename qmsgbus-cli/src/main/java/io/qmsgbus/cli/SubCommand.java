package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.BusException;
import io.qmsgbus.client.Message;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
      "  qmsgbus sub skill1 --count 10 > ten-packets.jsonl",
      "  qmsgbus sub skill1 --raw --timestamps",
      "  qmsgbus sub 'sensors.>' --format '{time} {skill}\\t{payload}'"
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

  @Option(
      names = "--raw",
      description =
          "Print only each packet's payload: JSON as its text, a JSON string as its plain text"
              + " (a packet without a payload: the whole packet).")
  boolean raw;

  @Option(
      names = "--format",
      paramLabel = "TEMPLATE",
      description =
          "Print each packet as TEMPLATE, with {skill}, {payload} (as --raw prints it), {packet},"
              + " {bytes} (its size), {time} (when received, ISO-8601 UTC), {n} (1, 2, ...);"
              + " escapes \\n, \\t, \\\\ and \\{. Not with --raw.")
  String format;

  @Option(
      names = "--timestamps",
      description = "Begin each line printed with the time received (ISO-8601 UTC) and a space.")
  boolean timestamps;

  @Mixin ConnectionOptions connection;

  /** Receive times: ISO-8601 UTC with milliseconds, e.g. {@code 2026-01-02T03:04:05.678Z}. */
  static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public Integer call() throws Exception {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    List<Template.Part> template;
    try {
      if (raw && format != null) {
        throw new IllegalArgumentException(
            "--raw and --format cannot be used together (--format '{payload}' prints what --raw"
                + " does)");
      }
      template = format != null ? Template.parse(format) : null;
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus sub: " + e.getMessage());
      return CliErrors.USAGE;
    }
    BusClient built;
    try {
      built = connection.apply(BusClient.builder()).build();
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus sub: " + e.getMessage());
      return CliErrors.USAGE;
    }
    try (BusClient client = built) {
      client.onError(e -> System.err.println("qmsgbus sub: server says: " + e));
      client.onReconnect(
          () ->
              System.err.println(
                  "qmsgbus sub: reconnected to " + client.uri() + ", registered again"));
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
        Instant received = Instant.now();
        String text;
        if (template != null) {
          text = Template.render(template, m, received, n + 1);
        } else if (raw) {
          text = oneLine(payloadText(m));
        } else {
          text = oneLine(m.text());
        }
        if (timestamps) {
          String prefix = TIME.format(received) + " ";
          text = prefix + text.replace("\n", "\n" + prefix);
        }
        out.println(text);
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

  /** {@code s} on one line: CRs dropped, newlines as spaces (today's default output). */
  static String oneLine(String s) {
    return s.replace("\r", "").replace('\n', ' ');
  }

  /**
   * What {@code --raw} and {@code {payload}} print: the payload's JSON text, a JSON string's plain
   * text, or the whole packet if it has no payload.
   */
  static String payloadText(Message m) {
    String json = m.payloadJson();
    return json == null ? m.text() : JsonText.unquoted(json);
  }

  /** A {@code --format} template: literal text and placeholders, checked before connecting. */
  static final class Template {

    /** Literal text ({@code name == null}) or a placeholder. */
    record Part(String text, String name) {}

    static final List<String> NAMES = List.of("skill", "payload", "packet", "bytes", "time", "n");

    private Template() {}

    /**
     * Parses {@code template}.
     *
     * @throws IllegalArgumentException with the one-line reason (a usage error)
     */
    static List<Part> parse(String template) {
      List<Part> parts = new ArrayList<>();
      StringBuilder lit = new StringBuilder();
      for (int i = 0; i < template.length(); i++) {
        char c = template.charAt(i);
        if (c == '\\') {
          char e = i + 1 < template.length() ? template.charAt(i + 1) : 0;
          switch (e) {
            case 'n' -> lit.append('\n');
            case 't' -> lit.append('\t');
            case '\\' -> lit.append('\\');
            case '{' -> lit.append('{');
            default ->
                throw new IllegalArgumentException(
                    "--format: unknown escape '\\"
                        + (e == 0 ? "" : String.valueOf(e))
                        + "' at "
                        + (i + 1)
                        + " (use \\n, \\t, \\\\ or \\{)");
          }
          i++;
        } else if (c == '{') {
          int end = template.indexOf('}', i);
          if (end < 0) {
            throw new IllegalArgumentException(
                "--format: '{' at " + (i + 1) + " is not closed (a literal '{' is \\{)");
          }
          String name = template.substring(i + 1, end);
          if (!NAMES.contains(name)) {
            throw new IllegalArgumentException(
                "--format: unknown placeholder {"
                    + name
                    + "} (known: {"
                    + String.join("}, {", NAMES)
                    + "})");
          }
          if (lit.length() > 0) {
            parts.add(new Part(lit.toString(), null));
            lit.setLength(0);
          }
          parts.add(new Part(null, name));
          i = end;
        } else {
          lit.append(c);
        }
      }
      if (lit.length() > 0) {
        parts.add(new Part(lit.toString(), null));
      }
      return List.copyOf(parts);
    }

    /** The template filled in for packet number {@code n}, received at {@code received}. */
    static String render(List<Part> parts, Message m, Instant received, long n) {
      StringBuilder b = new StringBuilder();
      for (Part p : parts) {
        if (p.name() == null) {
          b.append(p.text());
          continue;
        }
        b.append(
            switch (p.name()) {
              case "skill" -> {
                String skill = m.skill();
                yield skill == null ? "" : oneLine(skill);
              }
              case "payload" -> oneLine(payloadText(m));
              case "packet" -> oneLine(m.text());
              case "bytes" -> String.valueOf(m.size());
              case "time" -> TIME.format(received);
              default -> String.valueOf(n);
            });
      }
      return b.toString();
    }
  }
}
