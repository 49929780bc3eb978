package io.qmsgbus.cli;

import io.qmsgbus.bench.BenchCommand;
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

  /** Runs the command line and returns its exit code (for tests). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    ServerCommand.describeSettings(cl.getSubcommands().get("server"));
    return cl.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
