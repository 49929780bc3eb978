package io.qmsgbus.client;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS contexts for {@code wss://} servers whose certificate is not signed by a well-known authority
 * (a self-signed or private-CA certificate): {@link BusClient.Builder#sslContext} and {@link
 * WebSocketClientQ}'s TLS constructor take them. The host name is still checked against the
 * certificate, as always.
 */
public final class TlsTrust {

  private TlsTrust() {}

  /**
   * A context that trusts exactly the certificates in {@code pemFile} (one or more {@code BEGIN
   * CERTIFICATE} blocks: the server's own certificate, or the CA that signed it).
   *
   * @throws IOException if the file cannot be read or holds no certificate
   */
  public static SSLContext fromPem(Path pemFile) throws IOException {
    try (InputStream in = Files.newInputStream(pemFile)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new IOException(pemFile + ": no certificate found");
      }
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("qmsgbus-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IOException(pemFile + ": not usable as trusted certificates: " + e.getMessage(), e);
    }
  }
}
