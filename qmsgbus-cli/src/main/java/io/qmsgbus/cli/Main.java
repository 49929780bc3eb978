package io.qmsgbus.cli;

import io.qmsgbus.bench.BenchCommand;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code qmsgbus} command: one jar, one entry point, a subcommand per job. */
@Command(
    name = "qmsgbus",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "QMsgBus: a WebSocket message bus with skills, ACK-paced queues and fast-push.",
    subcommands = {
      ServerCommand.class,
      PubCommand.class,
      SubCommand.class,
      ReqCommand.class,
      ReplyCommand.class,
      StatsCommand.class,
      SessionsCommand.class,
      TokenCommand.class,
      PasswdCommand.class,
      BenchCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus server                       # listen on ws://127.0.0.1:8081/",
      "  qmsgbus sub skill1                   # print packets of skill1, acking each",
      "  qmsgbus pub skill1 '{\"temp\": 21.5}'  # publish one packet",
      "  qmsgbus req svc.echo hello           # ask, print the answer (qmsgbus reply answers)",
      "  qmsgbus stats --watch                # connections, rates, skills, clients"
    })
public final class Main implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * The Java client's own logger (JDK logging): the commands say what went wrong in one line each,
   * so its warnings, with their stack traces, would only repeat it. Held here: JDK logging keeps
   * only weak references to its loggers, which would forget the level.
   */
  private static final java.util.logging.Logger CLIENT_LOG =
      java.util.logging.Logger.getLogger("io.qmsgbus.client");

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    CLIENT_LOG.setLevel(java.util.logging.Level.OFF);
    CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    ServerCommand.describeSettings(cl.getSubcommands().get("server"));
    var usage = cl.getCommandSpec().usageMessage();
    List<String> footer = new ArrayList<>(List.of(usage.footer()));
    footer.addAll(List.of(CliErrors.EXIT_CODES));
    usage.footer(footer.toArray(String[]::new));
    // picocli: a bad command line exits 2, an exception 1; whatever a command did not foresee still
    // ends in one line, not a stack trace
    cl.setExecutionExceptionHandler(
        (e, command, parsed) -> {
          command
              .getErr()
              .println(
                  command.getCommandSpec().qualifiedName()
                      + ": "
                      + CliErrors.message(e)
                      + " (unexpected: please report it)");
          return CliErrors.FAILURE;
        });
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
