package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bus server never fragments, but any RFC 6455 peer may: a hand-written server sends fragmented
 * messages, and the client must hand each one over whole.
 */
class FragmentedFramesTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int FIN = 0x80;
  private static final int CONTINUATION = 0x0;
  private static final int TEXT = 0x1;
  private static final int BINARY = 0x2;
  private static final int CLOSE = 0x8;
  private static final int PING = 0x9;

  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  @Test
  void fragmentedMessagesArriveWhole() throws Exception {
    byte[] binary = "{\"skill\":\"frag\",\"payload\":\"é-ü\"}".getBytes(StandardCharsets.UTF_8);
    byte[] text = "{\"ok\":false,\"error\":\"ü€\"}".getBytes(StandardCharsets.UTF_8);
    int euro = indexOf(text, (byte) 0xE2); // split inside the 3-byte UTF-8 sequence of '€'

    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> serverDone =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = listener.accept()) {
                  s.setSoTimeout((int) WAIT.toMillis());
                  handshake(s);
                  OutputStream out = s.getOutputStream();
                  frame(out, BINARY, slice(binary, 0, 5));
                  frame(out, CONTINUATION, slice(binary, 5, 20));
                  frame(out, FIN | PING, new byte[0]); // control frames may come between fragments
                  frame(out, FIN | CONTINUATION, slice(binary, 20, binary.length));
                  frame(out, TEXT, slice(text, 0, euro + 1));
                  frame(out, FIN | CONTINUATION, slice(text, euro + 1, text.length));
                  frame(
                      out, FIN | BINARY, "{\"skill\":\"whole\"}".getBytes(StandardCharsets.UTF_8));
                  frame(out, FIN | CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
                  drain(s.getInputStream());
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              },
              threads);

      LinkedBlockingDeque<byte[]> queue = new LinkedBlockingDeque<>();
      BlockingQueue<String> texts = new LinkedBlockingQueue<>();
      WebSocketClientQ ws = new WebSocketClientQ(queue, "127.0.0.1", listener.getLocalPort(), "/");
      ws.setTextListener(texts::add);
      CompletableFuture<Void> loop = CompletableFuture.runAsync(ws::runForever, threads);

      assertThat(loop).as("runForever returns when the server closes").succeedsWithin(WAIT);
      assertThat(serverDone).succeedsWithin(WAIT);
      assertThat(queue.pollFirst(1, TimeUnit.SECONDS)).isEqualTo(binary);
      assertThat(queue.pollFirst(1, TimeUnit.SECONDS))
          .isEqualTo("{\"skill\":\"whole\"}".getBytes(StandardCharsets.UTF_8));
      assertThat(queue).isEmpty();
      assertThat(texts).containsExactly(new String(text, StandardCharsets.UTF_8));
    }
  }

  /** The close listener hears the server's status and reason (here 1009, message too big). */
  @Test
  void theCloseListenerHearsTheServersStatus() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> serverDone =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = listener.accept()) {
                  s.setSoTimeout((int) WAIT.toMillis());
                  handshake(s);
                  byte[] reason = "message too big".getBytes(StandardCharsets.UTF_8);
                  byte[] payload = new byte[2 + reason.length];
                  payload[0] = (byte) (1009 >> 8);
                  payload[1] = (byte) (1009 & 0xFF);
                  System.arraycopy(reason, 0, payload, 2, reason.length);
                  frame(s.getOutputStream(), FIN | CLOSE, payload);
                  drain(s.getInputStream());
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              },
              threads);
      CompletableFuture<String> closed = new CompletableFuture<>();
      try (BusClient client =
          BusClient.builder()
              .uri("ws://127.0.0.1:" + listener.getLocalPort() + "/")
              .reconnect(false, Duration.ofMillis(100), Duration.ofSeconds(1))
              .build()) {
        client.onClosed((status, why) -> closed.complete(status + " " + why));
        try {
          client.connect();
        } catch (BusException endedAtOnce) {
          // the close may come before connect() returns: the listener hears it all the same
        }
        assertThat(closed.get(WAIT.toSeconds(), TimeUnit.SECONDS))
            .isEqualTo("1009 message too big");
      }
      serverDone.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private static void handshake(Socket s) throws IOException {
    InputStream in = s.getInputStream();
    String key = null;
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      if (line.toLowerCase().startsWith("sec-websocket-key:")) {
        key = line.substring(line.indexOf(':') + 1).trim();
      }
    }
    String accept;
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest(
                  (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                      .getBytes(StandardCharsets.US_ASCII));
      accept = Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    String response =
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + accept
            + "\r\n\r\n";
    s.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int i = 0; i < 8192; i++) { // bounded: a request line is never this long
      int b = in.read();
      if (b < 0 || b == '\n') {
        break;
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  /** Writes one unmasked server frame; payloads here stay below 126 bytes. */
  private static void frame(OutputStream out, int firstByte, byte[] payload) throws IOException {
    out.write(firstByte);
    out.write(payload.length);
    out.write(payload);
    out.flush();
  }

  /** Reads until the client closes its side (it answers our close frame first). */
  private static void drain(InputStream in) throws IOException {
    byte[] buffer = new byte[256];
    for (int i = 0; i < 1000 && in.read(buffer) >= 0; i++) {
      // discard
    }
  }

  private static byte[] slice(byte[] b, int from, int to) {
    byte[] out = new byte[to - from];
    System.arraycopy(b, from, out, 0, out.length);
    return out;
  }

  private static int indexOf(byte[] b, byte value) {
    for (int i = 0; i < b.length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    throw new IllegalArgumentException("not found");
  }
}
