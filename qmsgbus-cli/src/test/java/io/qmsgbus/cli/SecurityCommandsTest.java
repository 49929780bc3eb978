package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.qmsgbus.auth.Identity;
import io.qmsgbus.auth.JwtVerifier;
import io.qmsgbus.auth.SkillPatterns;
import io.qmsgbus.auth.Tokens;
import io.qmsgbus.auth.UsersFile;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.testkit.TestCertificates;
import io.qmsgbus.transport.BusServer;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** qmsgbus token, passwd, the server's security options, and pub/sub with --token/--ca-cert. */
@Timeout(120)
class SecurityCommandsTest {

  private static final String SECRET = "cli-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

  @TempDir Path dir;

  /** Runs the CLI in-process with stdin, returns exit code, stdout, stderr. */
  private record Run(int code, String out, String err) {}

  private static synchronized Run run(String stdin, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int code = Main.run(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  private Path secretFile() throws Exception {
    Path f = dir.resolve("jwt.secret");
    Files.writeString(f, SECRET + "\n");
    return f;
  }

  @Test
  void tokenPrintsAJwtTheServerAccepts() throws Exception {
    Run r =
        run(
            "",
            "token",
            "--secret-file",
            secretFile().toString(),
            "--sub",
            "dashboard",
            "--pub",
            "skill.*",
            "--sub-skills",
            "a,b",
            "--ttl",
            "1h",
            "--aud",
            "bus");
    assertThat(r.code()).as(r.err()).isZero();
    String token = r.out().trim();
    assertThat(token.split("\\.")).hasSize(3);
    Identity id =
        new JwtVerifier(SECRET.getBytes(StandardCharsets.UTF_8), null, "bus", null).verify(token);
    assertThat(id.name()).isEqualTo("dashboard");
    assertThat(id.publish()).isEqualTo(SkillPatterns.parse("skill.*"));
    assertThat(id.register()).isEqualTo(SkillPatterns.parse("a,b"));

    Run inline = run("", "token", "--secret", SECRET, "--sub", "x");
    assertThat(inline.code()).isZero();
    assertThat(run("", "token", "--secret", "short", "--sub", "x").code()).isEqualTo(2);
    assertThat(run("", "token", "--secret", SECRET, "--sub", "x", "--ttl", "soon").err())
        .contains("not a lifetime");
    assertThat(run("", "token", "--sub", "x").code()).isEqualTo(2); // no secret given
  }

  @Test
  void passwdAddsAndUpdatesUsers() throws Exception {
    Path users = dir.resolve("users.txt");
    Run r =
        run(
            "hunter22\n",
            "passwd",
            "--file",
            users.toString(),
            "alice",
            "--password-stdin",
            "--pub",
            "logs.*",
            "--register",
            "logs.*,alerts");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("added user 'alice'");
    assertThat(Files.readString(users)).doesNotContain("hunter22");
    Identity id = UsersFile.load(users).authenticate("alice", "hunter22");
    assertThat(id.register()).isEqualTo(SkillPatterns.parse("logs.*,alerts"));

    Run again = run("newpass\n", "passwd", "--file", users.toString(), "alice", "--password-stdin");
    assertThat(again.err()).contains("updated user 'alice'");
    assertThat(UsersFile.load(users).authenticate("alice", "newpass").publish())
        .isEqualTo(SkillPatterns.parse("logs.*"));
    assertThat(run("", "passwd", "--file", users.toString(), "bob", "--password-stdin").code())
        .isEqualTo(2);
  }

  @Test
  void serverRefusesAnExposedAddressWithoutAuth() {
    Run r = run("", "server", "--host", "0.0.0.0", "--port", "0", "--admin-port", "0");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err())
        .contains("refusing to listen on 0.0.0.0 without authentication")
        .contains("--allow-anonymous");
    Run half = run("", "server", "--port", "0", "--admin-port", "0", "--tls-cert", "x.pem");
    assertThat(half.code()).isEqualTo(2);
    assertThat(half.err()).contains("tlsKey");
  }

  @Test
  void pubAndSubOverWssWithTokens() throws Exception {
    Path cert = TestCertificates.selfSigned(dir).cert(); // and key.pem beside it
    try (BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(0)
                .withTls(cert.toString(), dir.resolve("key.pem").toString())
                .withJwtSecretFile(secretFile().toString()))) {
      String url = server.url();
      String subToken =
          Tokens.hs256(
              SECRET.getBytes(StandardCharsets.UTF_8),
              "reader",
              List.of(),
              List.of("demo.*"),
              Duration.ofHours(1),
              null,
              null);
      String pubToken =
          Tokens.hs256(
              SECRET.getBytes(StandardCharsets.UTF_8),
              "writer",
              List.of("demo.*"),
              List.of(),
              Duration.ofHours(1),
              null,
              null);
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName(),
                  "sub",
                  "demo.temp",
                  "--url",
                  url,
                  "--ca-cert",
                  cert.toString(),
                  "--count",
                  "1",
                  "--timeout",
                  "60"));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.environment().put("QMSGBUS_TOKEN", subToken);
      Process sub = pb.start();
      try {
        BufferedReader err =
            new BufferedReader(new InputStreamReader(sub.getErrorStream(), StandardCharsets.UTF_8));
        String ready =
            CompletableFuture.supplyAsync(
                    () -> {
                      try {
                        for (String l; (l = err.readLine()) != null; ) {
                          if (l.contains("registered for")) {
                            return l;
                          }
                        }
                        return "stderr ended";
                      } catch (java.io.IOException e) {
                        return e.toString();
                      }
                    })
                .get(60, TimeUnit.SECONDS);
        assertThat(ready).contains("registered for demo.temp");

        Run denied =
            run(
                "",
                "pub",
                "secret",
                "1",
                "--url",
                url,
                "--ca-cert",
                cert.toString(),
                "--token",
                pubToken);
        assertThat(denied.err()).contains("not allowed to publish to 'secret'");
        assertThat(denied.code()).isEqualTo(1);
        Run noToken = run("", "pub", "demo.temp", "1", "--url", url, "--ca-cert", cert.toString());
        assertThat(noToken.code()).isEqualTo(1);
        assertThat(noToken.err()).contains("HTTP 401");

        Run pub =
            run(
                "",
                "pub",
                "demo.temp",
                "{\"c\": 21.5}",
                "--url",
                url,
                "--ca-cert",
                cert.toString(),
                "--token",
                pubToken);
        assertThat(pub.code()).as(pub.err()).isZero();
        assertThat(sub.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(sub.exitValue()).isZero();
        String line =
            new String(sub.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(line).isEqualTo("{\"skill\":\"demo.temp\",\"payload\":{\"c\": 21.5}}");
      } finally {
        sub.destroyForcibly();
      }
    }
  }
}
