package io.qmsgbus.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.qmsgbus.testkit.TestCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Keys, certificates, tokens and raw HTTP upgrades for the security tests. */
public final class Fixtures {

  /** 48 bytes: comfortably over HS256's 32-byte minimum. */
  static final String SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

  private Fixtures() {}

  /** A self-signed certificate for localhost and 127.0.0.1, and its PKCS#8 key, as PEM files. */
  public record CertFiles(Path cert, Path key) {}

  public static CertFiles selfSigned(Path dir) throws Exception {
    TestCertificates.CertFiles c = TestCertificates.selfSigned(dir); // one generator: the testkit's
    return new CertFiles(c.cert(), c.key());
  }

  static String pem(String type, byte[] der) {
    return TestCertificates.pem(type, der);
  }

  static Path publicKeyPem(Path dir, String name, PublicKey key) throws IOException {
    Path f = dir.resolve(name);
    Files.writeString(f, pem("PUBLIC KEY", key.getEncoded()));
    return f;
  }

  static Path secretFile(Path dir) throws IOException {
    Path f = dir.resolve("jwt.secret");
    Files.writeString(f, SECRET + "\n");
    return f;
  }

  static KeyPair rsaKeys() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    return gen.generateKeyPair();
  }

  static KeyPair ecKeys() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    return gen.generateKeyPair();
  }

  /** A good HS256 token for {@code sub}, valid for an hour. */
  static String token(String sub, List<String> pub, List<String> subs) {
    return Tokens.hs256(
        SECRET.getBytes(StandardCharsets.UTF_8), sub, pub, subs, Duration.ofHours(1), null, null);
  }

  /** Claims valid from an hour ago for two hours, with {@code pub} and {@code subs} = {@code *}. */
  static JWTClaimsSet.Builder claims(String sub) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .subject(sub)
        .issueTime(Date.from(now.minus(Duration.ofHours(1))))
        .expirationTime(Date.from(now.plus(Duration.ofHours(1))))
        .claim("pub", List.of(">"))
        .claim("subs", List.of(">"));
  }

  static String sign(JWTClaimsSet claims, JWSAlgorithm alg, Object key) throws JOSEException {
    JWSSigner signer;
    if (key instanceof byte[] secret) {
      signer = new MACSigner(secret);
    } else if (key instanceof RSAPrivateKey rsa) {
      signer = new RSASSASigner((PrivateKey) rsa);
    } else if (key instanceof ECPrivateKey ec) {
      signer = new ECDSASigner(ec);
    } else {
      throw new IllegalArgumentException("no signer for " + key);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
    jwt.sign(signer);
    return jwt.serialize();
  }

  static byte[] secretBytes() {
    return SECRET.getBytes(StandardCharsets.UTF_8);
  }

  /** The status line and headers (names lower-cased) of a raw HTTP answer. */
  record Answer(int status, Map<String, List<String>> headers, String body) {
    String header(String name) {
      List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
      return v == null ? null : v.get(0);
    }

    List<String> all(String name) {
      return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }
  }

  /**
   * Sends a WebSocket upgrade request over a plain socket and reads the answer's head (and, if not
   * 101, its body up to Content-Length). {@code extra} headers are added as given.
   */
  static Answer upgrade(int port, String pathAndQuery, Map<String, String> extra)
      throws IOException {
    return upgradeFrom(null, port, pathAndQuery, extra);
  }

  /** As {@link #upgrade(int, String, Map)}, from the local address {@code from} (null: any). */
  static Answer upgradeFrom(
      InetAddress from, int port, String pathAndQuery, Map<String, String> extra)
      throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port, from, 0)) {
      s.setSoTimeout(10_000);
      StringBuilder req = new StringBuilder();
      req.append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n");
      if (!extra.containsKey("Host")) {
        req.append("Host: 127.0.0.1:").append(port).append("\r\n");
      }
      req.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
      req.append("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
      for (Map.Entry<String, String> e : extra.entrySet()) {
        req.append(e.getKey()).append(": ").append(e.getValue()).append("\r\n");
      }
      req.append("\r\n");
      OutputStream out = s.getOutputStream();
      out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = s.getInputStream();
      String head = readHead(in);
      String[] lines = head.split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, List<String>> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers
            .computeIfAbsent(
                lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
      String body = "";
      List<String> length = headers.get("content-length");
      if (status != 101 && length != null) {
        byte[] b = in.readNBytes(Integer.parseInt(length.get(0)));
        body = new String(b, StandardCharsets.UTF_8);
      }
      return new Answer(status, headers, body);
    }
  }

  static Answer upgrade(int port, Map<String, String> extra) throws IOException {
    return upgrade(port, "/", extra);
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0) {
      b.append((char) c);
      if (b.length() >= 4 && b.substring(b.length() - 4).equals("\r\n\r\n")) {
        return b.substring(0, b.length() - 4);
      }
    }
    throw new IOException("connection closed before the end of the answer's head: " + b);
  }

  static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  static Map<String, String> basic(String user, String password) {
    return Map.of(
        "Authorization",
        "Basic "
            + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
  }
}
