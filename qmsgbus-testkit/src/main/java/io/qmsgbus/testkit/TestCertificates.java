package io.qmsgbus.testkit;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates for tests of wss:// and https:// listeners. */
public final class TestCertificates {

  private TestCertificates() {}

  /** A certificate and its PKCS#8 private key, as PEM files. */
  public record CertFiles(Path cert, Path key) {}

  /**
   * Writes {@code cert.pem} and {@code key.pem} to {@code dir}: a fresh EC (P-256) key and a
   * self-signed certificate for {@code localhost} and {@code 127.0.0.1}, valid from an hour ago for
   * two days. The certificate is its own trust anchor (give it to the client as its CA).
   */
  public static CertFiles selfSigned(Path dir) throws IOException, GeneralSecurityException {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair kp = gen.generateKeyPair();
    X500Name name = new X500Name("CN=localhost");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            name,
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(2))),
            name,
            kp.getPublic());
    b.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.dNSName, "localhost"),
              new GeneralName(GeneralName.iPAddress, "127.0.0.1")
            }));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    X509CertificateHolder holder;
    try {
      holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Files.writeString(cert, pem("CERTIFICATE", holder.getEncoded()));
    Files.writeString(key, pem("PRIVATE KEY", kp.getPrivate().getEncoded()));
    return new CertFiles(cert, key);
  }

  /** {@code der} as a PEM block of {@code type} (e.g. {@code CERTIFICATE}, {@code PUBLIC KEY}). */
  public static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
