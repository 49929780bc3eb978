package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/**
 * Where a client command connects and how it authenticates (a picocli mixin for pub, sub and
 * bench): {@code --url}, {@code --token} and {@code --ca-cert}. An absent {@code --url} falls back
 * to the {@code QMSGBUS_URL} environment variable, an absent {@code --token} to {@code
 * QMSGBUS_TOKEN}; an option given on the command line always wins.
 */
public final class ConnectionOptions {

  /** The bus address when neither {@code --url} nor {@code QMSGBUS_URL} says otherwise. */
  public static final String DEFAULT_URL = "ws://127.0.0.1:8081/";

  static final String URL_ENV = "QMSGBUS_URL";
  static final String TOKEN_ENV = "QMSGBUS_TOKEN";

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = {
        "Bus address. Default: the QMSGBUS_URL environment variable, else " + DEFAULT_URL + "."
      })
  String url;

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

  /** {@code --url}, else {@code QMSGBUS_URL}, else {@code null}. */
  public String urlOrNull() {
    return url != null ? url : nonBlank(env.apply(URL_ENV));
  }

  /** {@code --url}, else {@code QMSGBUS_URL}, else {@link #DEFAULT_URL}. */
  public String url() {
    String u = urlOrNull();
    return u != null ? u : DEFAULT_URL;
  }

  /**
   * {@code --url} as given on the command line, ignoring the environment; {@code null} if absent.
   */
  public String explicitUrl() {
    return url;
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

  /** Applies the address, token and trust to a client builder. */
  BusClient.Builder apply(BusClient.Builder b) throws IOException {
    b.uri(url());
    String t = token();
    if (t != null) {
      b.token(t);
    }
    if (caCert != null) {
      b.sslContext(TlsTrust.fromPem(caCert));
    }
    return b;
  }

  private static String nonBlank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
