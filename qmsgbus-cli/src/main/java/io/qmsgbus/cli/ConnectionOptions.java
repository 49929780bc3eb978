package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Where a client command connects and how it authenticates (a picocli mixin for pub, sub and
 * bench): {@code --url}, {@code --token} and {@code --ca-cert}. An absent {@code --url} falls back
 * to the {@code QMSGBUS_URL} environment variable, an absent {@code --token} to {@code
 * QMSGBUS_TOKEN}; an option given on the command line always wins.
 *
 * <p>{@code --url} may be given several times (or as a comma-separated list, as may {@code
 * QMSGBUS_URL}): pub and sub then fail over between the servers, in that order (see {@link
 * BusClient.Builder#uris(List)}). bench takes one address only.
 */
public final class ConnectionOptions {

  /** The bus address when neither {@code --url} nor {@code QMSGBUS_URL} says otherwise. */
  public static final String DEFAULT_URL = "ws://127.0.0.1:8081/";

  static final String URL_ENV = "QMSGBUS_URL";
  static final String TOKEN_ENV = "QMSGBUS_TOKEN";

  @Option(
      names = "--url",
      paramLabel = "URL",
      split = ",",
      description = {
        "Bus address. Give it several times (or comma-separated) to fail over: the client tries",
        "them in order and, when a connection is lost, reconnects to the next (bench: one only).",
        "Default: the QMSGBUS_URL environment variable (also comma-separated), else "
            + DEFAULT_URL
            + "."
      })
  List<String> urls;

  @Option(
      names = "--token",
      paramLabel = "JWT",
      description = {
        "Bearer token for a bus that requires one (see 'qmsgbus token').",
        "Default: the QMSGBUS_TOKEN environment variable, which keeps it out of ps."
      })
  String token;

  @Option(
      names = "--ca-cert",
      paramLabel = "FILE",
      description =
          "For wss://: trust the certificate(s) in this PEM file (a self-signed server certificate or its CA).")
  Path caCert;

  /** Reads environment variables; tests replace it. */
  UnaryOperator<String> env = System::getenv;

  /**
   * Every {@code --url}, else every address in {@code QMSGBUS_URL} (comma-separated), else an empty
   * list; blank entries are dropped, the rest trimmed.
   */
  public List<String> urlsOrEmpty() {
    List<String> given = explicitUrls();
    return given.isEmpty() ? split(env.apply(URL_ENV)) : given;
  }

  /** {@link #urlsOrEmpty()}, else just {@link #DEFAULT_URL}. */
  public List<String> urls() {
    List<String> u = urlsOrEmpty();
    return u.isEmpty() ? List.of(DEFAULT_URL) : u;
  }

  /** The first of {@link #urlsOrEmpty()}, or {@code null}. */
  public String urlOrNull() {
    List<String> u = urlsOrEmpty();
    return u.isEmpty() ? null : u.get(0);
  }

  /** The first of {@link #urls()}: {@code --url}, else {@code QMSGBUS_URL}, else the default. */
  public String url() {
    return urls().get(0);
  }

  /**
   * The first {@code --url} as given on the command line, ignoring the environment; {@code null} if
   * absent.
   */
  public String explicitUrl() {
    List<String> given = explicitUrls();
    return given.isEmpty() ? null : given.get(0);
  }

  /** Every {@code --url} given on the command line (none: empty). */
  public List<String> explicitUrls() {
    List<String> result = new ArrayList<>();
    if (urls != null) {
      for (String u : urls) {
        result.addAll(split(u));
      }
    }
    return List.copyOf(result);
  }

  /** {@code --token}, else {@code QMSGBUS_TOKEN}, trimmed; {@code null} if neither (or blank). */
  public String token() {
    return nonBlank(token != null ? token : env.apply(TOKEN_ENV));
  }

  /** {@code --ca-cert}, or {@code null}. */
  public Path caCert() {
    return caCert;
  }

  /** Whether {@code --token} or {@code --ca-cert} was given on the command line. */
  public boolean securityGiven() {
    return token != null || caCert != null;
  }

  /**
   * Applies the address, token and trust to a client builder.
   *
   * @throws IllegalArgumentException with the one sentence to print (a usage error): an address
   *     that is not ws:// or wss://, a {@code --ca-cert} that cannot be read
   */
  BusClient.Builder apply(BusClient.Builder b) {
    List<String> all = urls();
    CliErrors.checkUrls(all);
    b.uris(all.toArray(String[]::new));
    String t = token();
    if (t != null) {
      b.token(t);
    }
    if (caCert != null) {
      try {
        b.sslContext(TlsTrust.fromPem(caCert));
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IllegalArgumentException("--ca-cert " + caCert + ": no such file", e);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "--ca-cert " + caCert + ": " + CliErrors.message(e) + " (a PEM certificate file?)", e);
      }
    }
    return b;
  }

  private static List<String> split(String list) {
    List<String> result = new ArrayList<>();
    if (list != null) {
      for (String part : list.split(",")) {
        if (!part.isBlank()) {
          result.add(part.trim());
        }
      }
    }
    return List.copyOf(result);
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
