package io.qmsgbus.cli;

import io.qmsgbus.auth.SkillPatterns;
import io.qmsgbus.auth.UsersFile;
import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code qmsgbus passwd}: add or update a user of the users file (bcrypt). */
@Command(
    name = "passwd",
    mixinStandardHelpOptions = true,
    description = {
      "Adds a user to the users file (--users-file of the server), or changes a user's password",
      "and, when given, its skill patterns. The password is read from the terminal (twice), or",
      "with --password-stdin as the first line of stdin; it is stored as a bcrypt hash.",
      "A running server picks up the change within a second or so."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus passwd --file users.txt alice --pub 'sensors.*' --register 'sensors.*,alerts'",
      "  printf '%s\\n' \"$PASSWORD\" | qmsgbus passwd --file users.txt bob --password-stdin --register '>'"
    })
final class PasswdCommand implements Callable<Integer> {

  @Option(
      names = "--file",
      required = true,
      paramLabel = "FILE",
      description = "The users file (created if missing).")
  Path file;

  @Parameters(index = "0", paramLabel = "NAME", description = "The user name.")
  String name;

  @Option(
      names = "--pub",
      split = ",",
      paramLabel = "PATTERN",
      description =
          "Skills the user may publish to (replaces the current list; default: keep it, none for a new user).")
  List<String> publish;

  @Option(
      names = "--register",
      split = ",",
      paramLabel = "PATTERN",
      description = "Skills the user may register for (likewise).")
  List<String> register;

  @Option(
      names = "--password-stdin",
      description = "Read the password from the first line of stdin.")
  boolean passwordStdin;

  @Override
  public Integer call() throws Exception {
    String password;
    if (passwordStdin) {
      String line =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        System.err.println("qmsgbus passwd: no password on stdin");
        return 2;
      }
      password = line;
    } else {
      Console console = System.console();
      if (console == null) {
        System.err.println(
            "qmsgbus passwd: no terminal to ask for the password; use --password-stdin");
        return 2;
      }
      char[] first = console.readPassword("Password for %s: ", name);
      char[] again = console.readPassword("Again: ");
      if (first == null || again == null || !Arrays.equals(first, again)) {
        System.err.println("qmsgbus passwd: the passwords differ");
        return 2;
      }
      password = new String(first);
      Arrays.fill(first, ' ');
      Arrays.fill(again, ' ');
    }
    try {
      boolean added =
          UsersFile.upsert(
              file,
              name,
              password,
              publish == null ? null : SkillPatterns.of(publish),
              register == null ? null : SkillPatterns.of(register));
      System.err.println(
          "qmsgbus passwd: " + (added ? "added" : "updated") + " user '" + name + "' in " + file);
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus passwd: " + e.getMessage());
      return 2;
    }
  }
}
