package io.qmsgbus.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RawWebSocketTest {

  private static final byte[] MASK = {1, 2, 3, 4};

  // ------------------------------------------------------------------ encoding

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 125})
  void shortLengthsFitTheSecondByte(int n) {
    byte[] f = RawWebSocket.encode(0x82, new byte[n], MASK);
    assertThat(f).hasSize(2 + 4 + n);
    assertThat(f[0] & 0xFF).isEqualTo(0x82);
    assertThat(f[1] & 0xFF).isEqualTo(0x80 | n);
    assertThat(Arrays.copyOfRange(f, 2, 6)).isEqualTo(MASK);
  }

  @ParameterizedTest
  @ValueSource(ints = {126, 65535})
  void mediumLengthsTakeTwoBytes(int n) {
    byte[] f = RawWebSocket.encode(0x81, new byte[n], MASK);
    assertThat(f).hasSize(4 + 4 + n);
    assertThat(f[1] & 0xFF).isEqualTo(0x80 | 126);
    assertThat(((f[2] & 0xFF) << 8) | (f[3] & 0xFF)).isEqualTo(n);
  }

  @Test
  void from65536TheLengthTakesEightBytes() {
    byte[] f = RawWebSocket.encode(0x02, new byte[65536], MASK);
    assertThat(f).hasSize(10 + 4 + 65536);
    assertThat(f[0] & 0xFF).isEqualTo(0x02); // no FIN: as given
    assertThat(f[1] & 0xFF).isEqualTo(0x80 | 127);
    assertThat(Arrays.copyOfRange(f, 2, 10)).containsExactly(0, 0, 0, 0, 0, 1, 0, 0);
  }

  @Test
  void thePayloadIsMaskedAndAHeaderCanTakeTheLongFormForAnyLength() {
    byte[] f = RawWebSocket.encode(0x81, new byte[] {1, 2, 3, 4, 5}, MASK);
    assertThat(Arrays.copyOfRange(f, 6, 11)).containsExactly(0, 0, 0, 0, 4);
    byte[] h = RawWebSocket.header(0xC2, 5, new byte[4], true);
    assertThat(h).containsExactly(0xC2, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0);
  }

  @Test
  void theAcceptKeyIsRfc6455s() {
    assertThat(RawWebSocket.acceptFor(RawWebSocket.SAMPLE_KEY))
        .isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  }

  // ------------------------------------------------------------------ against a tiny server

  private ServerSocket listener;
  private Socket peer;
  private InputStream peerIn;
  private OutputStream peerOut;

  @BeforeEach
  void listen() throws IOException {
    listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    listener.setSoTimeout(10_000);
  }

  @AfterEach
  void stop() throws IOException {
    if (peer != null) {
      peer.close();
    }
    listener.close();
  }

  /** Accepts the client, reads its request head and answers 101 (or {@code status}). */
  private String accept(String status) throws IOException {
    peer = listener.accept();
    peer.setSoTimeout(10_000);
    peerIn = peer.getInputStream();
    peerOut = peer.getOutputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = peerIn.read();
      assertThat(b).isNotNegative();
      head.write(b);
    }
    String request = head.toString(StandardCharsets.ISO_8859_1);
    String key = request.replaceAll("(?s).*Sec-WebSocket-Key: ([^\r]*)\r.*", "$1");
    peerOut.write(
        (status
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "
                + RawWebSocket.acceptFor(key)
                + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    peerOut.flush();
    return request;
  }

  /** The server side of the test: sends one unmasked frame. */
  private void serverSends(int firstByte, byte[] payload) throws IOException {
    byte[] h = RawWebSocket.header(firstByte, payload.length, new byte[0], false);
    h[1] &= 0x7F; // unmasked
    peerOut.write(h);
    peerOut.write(payload);
    peerOut.flush();
  }

  /** The server side of the test: reads one masked frame, returns first byte and payload. */
  private RawWebSocket.Frame serverReads() throws IOException {
    DataInputStream d = new DataInputStream(peerIn);
    int b0 = d.readUnsignedByte();
    int b1 = d.readUnsignedByte();
    assertThat(b1 & 0x80).as("masked").isEqualTo(0x80);
    long len = b1 & 0x7F;
    if (len == 126) {
      len = d.readUnsignedShort();
    } else if (len == 127) {
      len = d.readLong();
    }
    byte[] mask = new byte[4];
    d.readFully(mask);
    byte[] p = new byte[(int) len];
    d.readFully(p);
    for (int i = 0; i < p.length; i++) {
      p[i] ^= mask[i & 3];
    }
    return new RawWebSocket.Frame(b0, p);
  }

  @Test
  void upgradesWithPathAndHeadersAndReturnsTheHead() throws Exception {
    CompletableFuture<String> request =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return accept("HTTP/1.1 101 Switching Protocols");
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    try (RawWebSocket ws = RawWebSocket.connect(listener.getLocalPort())) {
      RawWebSocket.Handshake hs =
          ws.upgrade("/ws?x=1", Map.of("Authorization", "Bearer t", "Host", "example"));
      assertThat(hs.status()).isEqualTo(101);
      assertThat(hs.header("sec-websocket-accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
      String req = request.get(10, TimeUnit.SECONDS);
      assertThat(req).startsWith("GET /ws?x=1 HTTP/1.1\r\n");
      assertThat(req).contains("\r\nAuthorization: Bearer t\r\n", "\r\nHost: example\r\n");
      assertThat(req).doesNotContain("127.0.0.1");
    }
  }

  @Test
  void openSendsTheExtraHeadersAndTextFramesAndListsPendingTextsWithoutTakingThem()
      throws Exception {
    CompletableFuture<RawWebSocket> client =
        CompletableFuture.supplyAsync(
            () ->
                RawWebSocket.open(
                    listener.getLocalPort(),
                    Map.of("Authorization", "Bearer t", "Origin", "http://app.example")));
    String req = accept("HTTP/1.1 101 Switching Protocols");
    assertThat(req).startsWith("GET / HTTP/1.1\r\n");
    assertThat(req)
        .contains(
            "\r\nHost: 127.0.0.1:" + listener.getLocalPort() + "\r\n",
            "\r\nAuthorization: Bearer t\r\n",
            "\r\nOrigin: http://app.example\r\n");
    try (RawWebSocket ws = client.get(10, TimeUnit.SECONDS)) {
      ws.sendText("h\u00e9");
      RawWebSocket.Frame f = serverReads();
      assertThat(f.firstByte()).isEqualTo(RawWebSocket.FIN | RawWebSocket.TEXT);
      assertThat(f.text()).isEqualTo("h\u00e9");
      serverSends(0x81, "one".getBytes(StandardCharsets.UTF_8));
      serverSends(0x82, "bin".getBytes(StandardCharsets.UTF_8));
      serverSends(0x81, "two".getBytes(StandardCharsets.UTF_8));
      assertThat(ws.nextBinary()).isEqualTo("bin"); // both TEXTs have arrived before it
      assertThat(ws.pendingTexts()).containsExactly("one", "two");
      assertThat(ws.pendingTexts()).containsExactly("one", "two"); // nothing was taken
      assertThat(ws.nextText()).isEqualTo("one");
      assertThat(ws.pendingTexts()).containsExactly("two");
    }
  }

  @Test
  void opensWssTrustingTheGivenCertificateAndRefusesAnUntrustedOne(@TempDir Path dir)
      throws Exception {
    TestCertificates.CertFiles files = TestCertificates.selfSigned(dir);
    X509Certificate cert;
    try (InputStream in = Files.newInputStream(files.cert())) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    String keyPem = Files.readString(files.key()).replaceAll("-----[A-Z ]+-----|\\s", "");
    PrivateKey key =
        KeyFactory.getInstance("EC")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(keyPem)));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry("server", key, new char[0], new Certificate[] {cert});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext serverTls = SSLContext.getInstance("TLS");
    serverTls.init(kmf.getKeyManagers(), null, null);
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("ca", cert);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trusted);
    SSLContext trust = SSLContext.getInstance("TLS");
    trust.init(null, tmf.getTrustManagers(), null);

    listener.close();
    listener =
        serverTls
            .getServerSocketFactory()
            .createServerSocket(0, 2, InetAddress.getLoopbackAddress());
    listener.setSoTimeout(10_000);
    URI uri = URI.create("wss://127.0.0.1:" + listener.getLocalPort() + "/tls?q=1");
    CompletableFuture<RawWebSocket> client =
        CompletableFuture.supplyAsync(() -> RawWebSocket.open(uri, Map.of("X-A", "b"), trust));
    String req = accept("HTTP/1.1 101 Switching Protocols");
    assertThat(req).startsWith("GET /tls?q=1 HTTP/1.1\r\n").contains("\r\nX-A: b\r\n");
    try (RawWebSocket ws = client.get(10, TimeUnit.SECONDS)) {
      serverSends(0x81, "secret".getBytes(StandardCharsets.UTF_8));
      assertThat(ws.nextText()).isEqualTo("secret");
      ws.sendBinary("back");
      assertThat(serverReads().text()).isEqualTo("back");
    }
    peer.close();
    peer = null;

    // without the trust anchor (the JDK's default trust store) the TLS handshake fails
    CompletableFuture<Void> refusing =
        CompletableFuture.runAsync(
            () -> {
              try (Socket s = listener.accept()) {
                s.getInputStream().read(); // the handshake, which the client aborts
              } catch (IOException expected) {
                // the client refused the certificate
              }
            });
    assertThatThrownBy(() -> RawWebSocket.open(uri, Map.of(), null))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasCauseInstanceOf(javax.net.ssl.SSLHandshakeException.class);
    refusing.get(10, TimeUnit.SECONDS);
  }

  @Test
  void aRefusedUpgradeIsAStatusAndOpenFailsOnIt() throws Exception {
    CompletableFuture.runAsync(
        () -> {
          try {
            accept("HTTP/1.1 403 Forbidden");
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        });
    assertThatThrownBy(() -> RawWebSocket.open(listener.getLocalPort()))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("403");
  }

  @Test
  void readsFramesOfEveryLengthFormInOrderAndByKind() throws Exception {
    CompletableFuture<RawWebSocket> client =
        CompletableFuture.supplyAsync(() -> RawWebSocket.open(listener.getLocalPort()));
    accept("HTTP/1.1 101 Switching Protocols");
    try (RawWebSocket ws = client.get(10, TimeUnit.SECONDS)) {
      for (int n : new int[] {125, 126, 65535, 65536}) {
        serverSends(0x82, new byte[n]);
      }
      serverSends(0x81, "hello".getBytes(StandardCharsets.UTF_8));
      assertThat(ws.nextText()).isEqualTo("hello"); // the binaries stay
      assertThat(ws.pending(RawWebSocket.BINARY)).isEqualTo(4);
      for (int n : new int[] {125, 126, 65535, 65536}) {
        assertThat(ws.nextBinaryBytes()).hasSize(n);
      }
      assertThat(ws.pollBinary(Duration.ofMillis(50))).isNull();
    }
  }

  @Test
  void reassemblesFragmentsAnswersPingsAndEchoesTheClose() throws Exception {
    CompletableFuture<RawWebSocket> client =
        CompletableFuture.supplyAsync(() -> RawWebSocket.open(listener.getLocalPort()));
    accept("HTTP/1.1 101 Switching Protocols");
    try (RawWebSocket ws = client.get(10, TimeUnit.SECONDS)) {
      serverSends(0x01, "he".getBytes(StandardCharsets.UTF_8));
      serverSends(0x89, new byte[] {7});
      serverSends(0x80, "llo".getBytes(StandardCharsets.UTF_8));
      RawWebSocket.Frame pong = serverReads();
      assertThat(pong.opcode()).isEqualTo(RawWebSocket.PONG);
      assertThat(pong.payload()).containsExactly(7);
      assertThat(ws.nextFrame().opcode()).isEqualTo(RawWebSocket.PING);
      assertThat(ws.nextText(t -> t.startsWith("h"))).isEqualTo("hello");
      serverSends(0x88, new byte[] {0x03, (byte) 0xF1, 'b', 'y'});
      RawWebSocket.Frame echo = serverReads();
      assertThat(echo.closeCode()).isEqualTo(1009);
      assertThat(ws.closed().get(10, TimeUnit.SECONDS))
          .isEqualTo(new RawWebSocket.Close(1009, "by"));
      peer.close();
      assertThat(ws.awaitClose()).isEqualTo(1009);
    }
  }

  @Test
  void sendsAnyFirstByteHeaderOnlyFragmentsAndClose() throws Exception {
    CompletableFuture<RawWebSocket> client =
        CompletableFuture.supplyAsync(
            () -> {
              RawWebSocket ws = RawWebSocket.connect(listener.getLocalPort());
              ws.upgrade();
              return ws;
            });
    accept("HTTP/1.1 101 Switching Protocols");
    try (RawWebSocket ws = client.get(10, TimeUnit.SECONDS)) {
      ws.frame(0x80 | 0x40 | 0x3, new byte[] {9});
      RawWebSocket.Frame f = serverReads();
      assertThat(f.fin()).isTrue();
      assertThat(f.rsv()).isEqualTo(4);
      assertThat(f.opcode()).isEqualTo(3);
      ws.fragments(RawWebSocket.TEXT, "a".getBytes(StandardCharsets.UTF_8), new byte[] {'b'});
      assertThat(serverReads().firstByte()).isEqualTo(0x01);
      assertThat(serverReads().firstByte()).isEqualTo(0x80);
      ws.sendClose(1000, "done");
      RawWebSocket.Frame close = serverReads();
      assertThat(close.closeCode()).isEqualTo(1000);
      assertThat(close.closeReason()).isEqualTo("done");
      ws.frameHeader(0x82, 70_000);
      byte[] header = new byte[14];
      new DataInputStream(peerIn).readFully(header);
      assertThat(header)
          .containsExactly(0x82, 0x80 | 127, 0, 0, 0, 0, 0, 1, 0x11, 0x70, 0, 0, 0, 0);
    }
  }

  @Test
  void aStuckPeerReadsNothingUntilAskedAndTimesOut() throws Exception {
    CompletableFuture<RawWebSocket> client =
        CompletableFuture.supplyAsync(
            () -> {
              RawWebSocket ws = RawWebSocket.connect(listener.getLocalPort());
              ws.upgrade();
              return ws;
            });
    accept("HTTP/1.1 101 Switching Protocols");
    try (RawWebSocket ws = client.get(10, TimeUnit.SECONDS).timeout(Duration.ofMillis(200))) {
      assertThat(ws.pollText(Duration.ZERO)).isNull();
      assertThatThrownBy(ws::nextText)
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("TEXT");
      assertThatThrownBy(ws::awaitClose).isInstanceOf(AssertionError.class);
      serverSends(0x81, "late".getBytes(StandardCharsets.UTF_8));
      assertThat(ws.nextText()).isEqualTo("late");
      serverSends(0x88, new byte[] {0x03, (byte) 0xE8});
      peer.shutdownOutput();
      assertThat(ws.timeout(Duration.ofSeconds(10)).awaitClose()).isEqualTo(1000);
    }
  }

  @Test
  void awaitCloseBeforeAnUpgradeReadsToTheEnd() throws Exception {
    BlockingQueue<String> got = new LinkedBlockingQueue<>();
    try (RawWebSocket ws = RawWebSocket.connect(listener.getLocalPort())) {
      ws.sendRaw("GET / HTTP/1.1\r\nHost: 1");
      peer = listener.accept();
      byte[] b = new byte[23];
      new DataInputStream(peer.getInputStream()).readFully(b);
      got.add(new String(b, StandardCharsets.ISO_8859_1));
      peer.getOutputStream().write("HTTP/1.1 408 \r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      peer.close();
      assertThat(ws.closedByServer()).isTrue();
      assertThat(ws.closed().join().code()).isEqualTo(-1);
    }
    assertThat(got.poll()).isEqualTo("GET / HTTP/1.1\r\nHost: 1");
  }
}
