package io.qmsgbus.auth;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM public keys with the JDK alone (no BouncyCastle at run time). */
public final class PemKeys {

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private PemKeys() {}

  /**
   * The first public key in {@code file}: a {@code PUBLIC KEY} block (X.509 SubjectPublicKeyInfo,
   * what {@code openssl pkey -pubout} writes) or a {@code CERTIFICATE} (its key is used). RSA and
   * EC keys are supported.
   *
   * @throws IOException if the file cannot be read or holds no usable key
   */
  public static PublicKey readPublicKey(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      try {
        if (type.equals("PUBLIC KEY")) {
          return decodeSpki(der);
        }
        if (type.equals("CERTIFICATE")) {
          X509Certificate cert =
              (X509Certificate)
                  CertificateFactory.getInstance("X.509")
                      .generateCertificate(new ByteArrayInputStream(der));
          return cert.getPublicKey();
        }
        if (type.equals("RSA PUBLIC KEY")) {
          throw new IOException(
              file
                  + ": a PKCS#1 'RSA PUBLIC KEY' block; convert it with"
                  + " `openssl rsa -RSAPublicKey_in -in KEY -pubout` to a 'PUBLIC KEY' block");
        }
      } catch (GeneralSecurityException e) {
        throw new IOException(file + ": not a usable " + type + ": " + e.getMessage(), e);
      }
    }
    throw new IOException(file + ": no PEM 'PUBLIC KEY' or 'CERTIFICATE' block found");
  }

  private static PublicKey decodeSpki(byte[] der) throws GeneralSecurityException {
    X509EncodedKeySpec spec = new X509EncodedKeySpec(der);
    GeneralSecurityException first = null;
    for (String alg : new String[] {"RSA", "EC"}) {
      try {
        return KeyFactory.getInstance(alg).generatePublic(spec);
      } catch (GeneralSecurityException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    throw new GeneralSecurityException("neither an RSA nor an EC public key", first);
  }
}
