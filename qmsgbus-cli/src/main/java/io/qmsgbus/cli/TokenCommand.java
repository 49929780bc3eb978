package io.qmsgbus.cli;

import io.qmsgbus.auth.SkillPatterns;
import io.qmsgbus.auth.Tokens;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code qmsgbus token}: print an HS256 JWT for a server started with --jwt-secret-file. */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = {
      "Prints an HS256-signed token (JWT) for a bus started with --jwt-secret-file.",
      "Claims: sub (the name), pub (skills it may publish to), subs (skills it may register for),",
      "exp (now + --ttl), and aud/iss when given. Patterns: names, '*' for one token, '>' for the rest",
      "('sensors.*', 'sensors.>', '>'); with neither --pub nor --sub-skills the token allows nothing."
    },
    footer = {
      "",
      "Examples:",
      "  qmsgbus token --secret-file jwt.secret --sub dashboard --sub-skills 'sensors.*'",
      "  qmsgbus token --secret-file jwt.secret --sub sensor7 --pub 'sensors.7.*' --ttl 30d",
      "  export QMSGBUS_TOKEN=$(qmsgbus token --secret-file jwt.secret --sub me --pub '>' --sub-skills '>')"
    })
final class TokenCommand implements Callable<Integer> {

  @ArgGroup(multiplicity = "1")
  SecretSource secret;

  static final class SecretSource {
    @Option(
        names = "--secret-file",
        paramLabel = "FILE",
        description =
            "The server's secret file (authJwtSecretFile). Preferred: keeps the secret out of ps and shell history.")
    Path file;

    @Option(
        names = "--secret",
        paramLabel = "SECRET",
        description = "The secret itself (at least 32 bytes).")
    String text;
  }

  @Option(
      names = "--sub",
      required = true,
      paramLabel = "NAME",
      description = "Who the token is for (the sub claim).")
  String subject;

  @Option(
      names = "--pub",
      split = ",",
      paramLabel = "PATTERN",
      description = "Skills it may publish to (comma-separated or repeated).")
  List<String> publish = new ArrayList<>();

  @Option(
      names = "--sub-skills",
      split = ",",
      paramLabel = "PATTERN",
      description = "Skills it may register for (comma-separated or repeated; the subs claim).")
  List<String> register = new ArrayList<>();

  @Option(
      names = "--ttl",
      defaultValue = "1h",
      paramLabel = "DURATION",
      description = "How long it is valid: 90s, 15m, 1h, 7d (default ${DEFAULT-VALUE}).")
  String ttl;

  @Option(
      names = "--aud",
      paramLabel = "AUDIENCE",
      description = "The aud claim (the server's authJwtAudience).")
  String audience;

  @Option(
      names = "--iss",
      paramLabel = "ISSUER",
      description = "The iss claim (the server's authJwtIssuer).")
  String issuer;

  @Override
  public Integer call() {
    try {
      byte[] key =
          secret.file != null ? Tokens.readSecret(secret.file) : Tokens.secretBytes(secret.text);
      Duration lifetime = Tokens.parseTtl(ttl);
      String token =
          Tokens.hs256(
              key,
              subject,
              SkillPatterns.of(publish).patterns(),
              SkillPatterns.of(register).patterns(),
              lifetime,
              audience,
              issuer);
      System.out.println(token);
      return 0;
    } catch (IllegalArgumentException e) {
      System.err.println("qmsgbus token: " + e.getMessage());
      return 2;
    } catch (java.io.IOException e) {
      System.err.println("qmsgbus token: cannot read the secret file: " + e.getMessage());
      return 2;
    }
  }
}
