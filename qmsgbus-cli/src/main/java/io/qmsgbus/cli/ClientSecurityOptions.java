package io.qmsgbus.cli;

import io.qmsgbus.client.BusClient;
import io.qmsgbus.client.TlsTrust;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How pub and sub authenticate and whom they trust for wss:// (a picocli mixin). */
final class ClientSecurityOptions {

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

  /** Applies the options to a client builder. */
  BusClient.Builder apply(BusClient.Builder b) throws IOException {
    String t = token != null ? token : System.getenv("QMSGBUS_TOKEN");
    if (t != null && !t.isBlank()) {
      b.token(t.trim());
    }
    if (caCert != null) {
      b.sslContext(TlsTrust.fromPem(caCert));
    }
    return b;
  }
}
