package io.qmsgbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestkitTest {

  @Test
  void theCertificateIsSelfSignedForLocalhost(@TempDir Path dir) throws Exception {
    TestCertificates.CertFiles f = TestCertificates.selfSigned(dir);
    X509Certificate c;
    try (InputStream in = Files.newInputStream(f.cert())) {
      c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    c.checkValidity();
    c.verify(c.getPublicKey()); // self-signed
    assertThat(c.getSubjectX500Principal().getName()).isEqualTo("CN=localhost");
    Collection<java.util.List<?>> names = c.getSubjectAlternativeNames();
    assertThat(names.stream().map(n -> String.valueOf(n.get(1))))
        .contains("localhost", "127.0.0.1");
    assertThat(Files.readString(f.key())).startsWith("-----BEGIN PRIVATE KEY-----\n");
  }

  @Test
  void aFreePortCanBeBoundAndRefusesUntilThen() throws Exception {
    int port = FreePorts.free();
    assertThat(port).isBetween(1, 65535);
    assertThatThrownBy(() -> new Socket(InetAddress.getLoopbackAddress(), port).close())
        .isInstanceOf(ConnectException.class);
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      assertThat(s.getLocalPort()).isEqualTo(port);
    }
  }
}
