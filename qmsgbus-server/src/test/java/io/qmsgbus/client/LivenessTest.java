package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The clients' dead-server check over real sockets: a hand-written server that completes the
 * WebSocket handshake and then goes silent without closing (never answers a Ping, never sends a
 * FIN, as a vanished host behind a half-open TCP connection would) must be dropped; a healthy
 * server, which answers Pings, must not.
 */
class LivenessTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration PING = Duration.ofMillis(200);
  private static final Duration PONG_TIMEOUT = Duration.ofMillis(300);

  /**
   * Against a healthy server: a timeout with room for a slow (loaded) test machine, yet short
   * enough that a client ignoring Pongs would be dropped (after 200 + 1000 ms) well within {@link
   * #HEALTHY_FOR}.
   */
  private static final Duration HEALTHY_PONG_TIMEOUT = Duration.ofSeconds(1);

  /** Many ping intervals: a dozen Ping/Pong rounds, short enough for a unit test. */
  private static final Duration HEALTHY_FOR = Duration.ofMillis(2500);

  private static final int OPCODE_PING = 0x9;

  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<SilentServer> fakes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    // silent servers first: their sockets' EOF lets a client's close end without its timeout
    for (SilentServer fake : fakes) {
      fake.close();
    }
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    threads.shutdownNow();
  }

  @Test
  void busClientDropsASilentServerAndReconnects() throws Exception {
    SilentServer fake = silentServer();
    AtomicInteger reconnects = new AtomicInteger();
    BusClient client =
        BusClient.builder()
            .port(fake.port())
            .connectTimeout(Duration.ofSeconds(5))
            .reconnect(true, Duration.ofMillis(50), Duration.ofMillis(200))
            .liveness(PING, PONG_TIMEOUT)
            .build()
            .onReconnect(reconnects::incrementAndGet);
    resources.add(client);

    long start = System.nanoTime();
    client.connect();
    assertThat(client.isConnected()).isTrue();

    await().atMost(WAIT).until(() -> !client.isConnected());
    // nothing is dropped before a whole ping interval of silence plus the pong timeout
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(PING.plus(PONG_TIMEOUT));
    assertThat(fake.opcodes().poll(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .as("the client pinged before giving up")
        .isEqualTo(OPCODE_PING);

    // the reconnected connections go silent too, and are dropped and replaced in turn
    await().atMost(WAIT).until(() -> fake.accepted() >= 3 && reconnects.get() >= 2);
  }

  @Test
  void runForeverReturnsWhenTheServerGoesSilent() throws Exception {
    SilentServer fake = silentServer();
    WebSocketClientQ ws =
        new WebSocketClientQ(new ConcurrentLinkedDeque<>(), "127.0.0.1", fake.port(), "/");
    resources.add(ws::close);
    ws.setLiveness(PING, PONG_TIMEOUT);

    CompletableFuture<Void> loop = CompletableFuture.runAsync(ws::runForever, threads);
    await().atMost(WAIT).until(() -> ws.isConnected() || loop.isDone());
    assertThat(fake.accepted()).isEqualTo(1);

    assertThat(loop)
        .as("runForever returns once the silent server is dropped")
        .succeedsWithin(WAIT);
    assertThat(ws.isConnected()).isFalse();
    assertThat(ws.emitText("{\"ack\":\"\"}")).isFalse();
    assertThat(fake.opcodes().poll(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo(OPCODE_PING);
    assertThat(fake.accepted()).as("WebSocketClientQ does not reconnect by itself").isEqualTo(1);
  }

  @Test
  void withLivenessOffASilentConnectionIsKept() throws Exception {
    SilentServer fake = silentServer();
    BusClient client =
        BusClient.builder()
            .port(fake.port())
            .connectTimeout(Duration.ofSeconds(5))
            .liveness(Duration.ZERO, Duration.ZERO)
            .build();
    resources.add(client);
    client.connect();

    await().during(HEALTHY_FOR).atMost(HEALTHY_FOR.plus(WAIT)).until(client::isConnected);
    assertThat(fake.opcodes()).as("no pings when off").isEmpty();
    assertThat(fake.accepted()).isEqualTo(1);
  }

  @Test
  void busClientKeepsAHealthyConnection() throws Exception {
    BusServer server = BusServer.start(ServerConfig.defaults().withPort(0));
    resources.add(server::close);
    AtomicInteger reconnects = new AtomicInteger();
    List<String> errors = new CopyOnWriteArrayList<>();
    BusClient client =
        BusClient.builder()
            .port(server.port())
            .connectTimeout(Duration.ofSeconds(5))
            .liveness(PING, HEALTHY_PONG_TIMEOUT)
            .build()
            .onReconnect(reconnects::incrementAndGet)
            .onError(errors::add);
    resources.add(client);
    client.connect();
    client.register("alive").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    // idle for several ping intervals: only the Pongs keep it alive
    await().during(HEALTHY_FOR).atMost(HEALTHY_FOR.plus(WAIT)).until(client::isConnected);
    assertThat(reconnects).hasValue(0);
    assertThat(errors).isEmpty();

    // and it still works: a packet to itself comes back on the same connection
    client.publishText("alive", "still here").get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    Message m = client.take(WAIT);
    assertThat(m).isNotNull();
    assertThat(m.text()).contains("still here");
    assertThat(reconnects).hasValue(0);
  }

  @Test
  void webSocketClientQKeepsAHealthyConnection() {
    BusServer server = BusServer.start(ServerConfig.defaults().withPort(0));
    resources.add(server::close);
    WebSocketClientQ ws =
        new WebSocketClientQ(new ConcurrentLinkedDeque<>(), "127.0.0.1", server.port(), "/");
    resources.add(ws::close);
    ws.setLiveness(PING, HEALTHY_PONG_TIMEOUT);
    CompletableFuture<Void> loop = CompletableFuture.runAsync(ws::runForever, threads);
    await().atMost(WAIT).until(ws::isConnected);

    await()
        .during(HEALTHY_FOR)
        .atMost(HEALTHY_FOR.plus(WAIT))
        .until(() -> ws.isConnected() && !loop.isDone());
    assertThat(ws.emitText("{\"ack\":\"\"}")).isTrue();
    ws.close();
    assertThat(loop).succeedsWithin(WAIT);
  }

  @Test
  void livenessSettingsAreChecked() {
    BusClient.Builder b = BusClient.builder();
    assertThatThrownBy(() -> b.liveness(Duration.ofSeconds(-1), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.liveness(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.liveness(Duration.ofSeconds(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.liveness(null, Duration.ZERO))
        .isInstanceOf(NullPointerException.class);
    b.liveness(Duration.ZERO, Duration.ZERO); // off
    b.liveness(Duration.ZERO, Duration.ofSeconds(3)); // off; the timeout is ignored

    WebSocketClientQ ws = new WebSocketClientQ(new ConcurrentLinkedDeque<>(), "127.0.0.1", 1, "/");
    assertThatThrownBy(() -> ws.setLiveness(Duration.ofSeconds(1), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    ws.setLiveness(Duration.ZERO, Duration.ZERO);

    assertThat(Liveness.of(Duration.ZERO, Duration.ZERO).enabled()).isFalse();
    assertThat(Liveness.DEFAULT.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    assertThat(Liveness.DEFAULT.pongTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  private SilentServer silentServer() throws IOException {
    SilentServer s = new SilentServer(threads);
    fakes.add(s);
    return s;
  }

  /**
   * Accepts connections on 127.0.0.1, completes each WebSocket handshake by hand, and then says
   * nothing at all: no Pong, no Close, no FIN. It reads what the client sends (so the client's
   * writes never block) and records the opcode of each frame.
   */
  private static final class SilentServer implements AutoCloseable {
    private final ServerSocket listener;
    private final AtomicInteger accepted = new AtomicInteger();
    private final BlockingQueue<Integer> opcodes = new LinkedBlockingQueue<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    SilentServer(ExecutorService threads) throws IOException {
      listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      threads.execute(
          () -> {
            for (int i = 0; i < 1000 && !listener.isClosed(); i++) { // bounded; close() ends it
              Socket s;
              try {
                s = listener.accept();
              } catch (IOException e) {
                return; // closed
              }
              accepted.incrementAndGet(); // a connection attempt; the handshake follows
              sockets.add(s);
              threads.execute(() -> serve(s));
            }
          });
    }

    int port() {
      return listener.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    BlockingQueue<Integer> opcodes() {
      return opcodes;
    }

    private void serve(Socket s) {
      try {
        InputStream in = s.getInputStream();
        handshake(s, in);
        for (int i = 0; i < 10_000; i++) { // bounded; the client's abort ends it with EOF
          int opcode = readFrame(in);
          if (opcode < 0) {
            return;
          }
          opcodes.add(opcode);
        }
      } catch (IOException e) {
        // the client aborted, or close() below
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }

    private static void handshake(Socket s, InputStream in) throws IOException {
      String key = null;
      for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
        if (line.toLowerCase().startsWith("sec-websocket-key:")) {
          key = line.substring(line.indexOf(':') + 1).trim();
        }
      }
      String response =
          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              + "Sec-WebSocket-Accept: "
              + accept(key)
              + "\r\n\r\n";
      s.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
      s.getOutputStream().flush();
    }

    private static String accept(String key) {
      try {
        byte[] sha1 =
            MessageDigest.getInstance("SHA-1")
                .digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
                        .getBytes(StandardCharsets.US_ASCII));
        return Base64.getEncoder().encodeToString(sha1);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    private static String readLine(InputStream in) throws IOException {
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      for (int i = 0; i < 8192; i++) { // bounded: a request line is never this long
        int b = in.read();
        if (b < 0) {
          throw new IOException("connection closed during the handshake");
        }
        if (b == '\n') {
          break;
        }
        if (b != '\r') {
          line.write(b);
        }
      }
      return line.toString(StandardCharsets.US_ASCII);
    }

    /** Reads one masked client frame and returns its opcode, or -1 at end of stream. */
    private static int readFrame(InputStream in) throws IOException {
      int first = in.read();
      int second = in.read();
      if (first < 0 || second < 0) {
        return -1;
      }
      long length = second & 0x7F;
      if (length == 126) {
        length = (readByte(in) << 8) | readByte(in);
      } else if (length == 127) {
        length = 0;
        for (int i = 0; i < 8; i++) {
          length = (length << 8) | readByte(in);
        }
      }
      long skip = length + ((second & 0x80) != 0 ? 4 : 0); // the mask key, then the payload
      for (long i = 0; i < skip; i++) {
        readByte(in);
      }
      return first & 0x0F;
    }

    private static int readByte(InputStream in) throws IOException {
      int b = in.read();
      if (b < 0) {
        throw new IOException("end of stream inside a frame");
      }
      return b;
    }
  }
}
