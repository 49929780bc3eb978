package io.qmsgbus.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A WebSocket client written byte by byte (RFC 6455), for tests that must control exactly what goes
 * over the wire: partial or custom upgrades, any first byte (FIN, RSV bits, opcode), frame headers
 * without their payload, fragments, and silence. Plain TCP or TLS, loopback or any host.
 *
 * <p>Received frames go to an inbox in arrival order; {@link #nextText()} and {@link #nextBinary()}
 * take the first frame of their kind and leave the others, {@link #nextFrame()} takes whatever came
 * first. Frames are read from the socket either by the thread that waits for one ({@link #connect}:
 * nothing is read unless a test asks, so a peer can be "stuck") or by a background thread ({@link
 * #readInBackground()}, which {@link #open} starts: reads all the time, like a library client).
 * With {@linkplain #autoReply(boolean) auto-reply} on (the default) every ping read is answered
 * with a pong and the server's close frame with a close frame.
 *
 * <p>Every wait has a timeout ({@link #timeout(Duration)}, 15 s unless set): a frame that does not
 * come fails the test with an {@link AssertionError}. I/O errors are {@link UncheckedIOException}s.
 */
public final class RawWebSocket implements AutoCloseable {

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  /** The FIN bit of the first byte. */
  public static final int FIN = 0x80;

  /** The key {@link #upgrade()} sends: RFC 6455's sample nonce. */
  public static final String SAMPLE_KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

  /** One frame as received: its first byte and its (unmasked) payload. */
  public record Frame(int firstByte, byte[] payload) {
    public boolean fin() {
      return (firstByte & FIN) != 0;
    }

    /** The RSV1..3 bits, as the value {@code 0..7}. */
    public int rsv() {
      return (firstByte >> 4) & 0x7;
    }

    public int opcode() {
      return firstByte & 0x0F;
    }

    /** The payload as UTF-8. */
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** A close frame's status code, or -1 for a close frame without one (or another frame). */
    public int closeCode() {
      return opcode() == CLOSE && payload.length >= 2
          ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF)
          : -1;
    }

    /** A close frame's reason ("" without one). */
    public String closeReason() {
      return opcode() == CLOSE && payload.length > 2
          ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)
          : "";
    }

    @Override
    public String toString() {
      return "Frame[op=" + opcode() + ",fin=" + fin() + ",rsv=" + rsv() + "," + text() + "]";
    }
  }

  /** The server's answer to an upgrade request: its status and the whole head. */
  public record Handshake(int status, String head) {
    /** The first value of header {@code name} (case-insensitive), or null. */
    public String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  /**
   * How the connection ended: the server's close code and reason, or code -1 when the stream ended
   * (or failed) without a close frame.
   */
  public record Close(int code, String reason) {
    @Override
    public String toString() {
      return code + " " + reason;
    }
  }

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final String hostHeader;
  private final Object writeLock = new Object();
  private final Object readLock = new Object();
  private final List<Frame> inbox = new ArrayList<>(); // guarded by itself
  private final CompletableFuture<Close> closed = new CompletableFuture<>();
  private byte[] acc = new byte[8192]; // received, not yet parsed (guarded by readLock)
  private int accLen;
  private final ByteArrayOutputStream fragmented = new ByteArrayOutputStream(); // readLock
  private int fragmentedOpcode = -1;
  private volatile Duration timeout = DEFAULT_TIMEOUT;
  private volatile boolean autoReply = true;
  private volatile boolean upgraded;
  private volatile boolean closeSent;
  private volatile boolean ended;
  private volatile Thread reader;

  private RawWebSocket(Socket socket, String hostHeader) throws IOException {
    this.socket = socket;
    this.hostHeader = hostHeader;
    socket.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
    this.in = socket.getInputStream();
    this.out = socket.getOutputStream();
  }

  // ------------------------------------------------------------------ connecting

  /** A plain TCP connection to {@code 127.0.0.1:port}, not yet upgraded. */
  public static RawWebSocket connect(int port) {
    return connect("127.0.0.1", port, null);
  }

  /**
   * A TCP connection to {@code host:port}, not yet upgraded; over TLS (with host name verification)
   * when {@code tls} is not null, trusting what that context trusts.
   */
  public static RawWebSocket connect(String host, int port, SSLContext tls) {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(host, port), 5_000);
      if (tls != null) {
        s.setSoTimeout((int) DEFAULT_TIMEOUT.toMillis());
        SSLSocket ssl =
            (SSLSocket) tls.getSocketFactory().createSocket(s, host, port, /* autoClose */ true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        s = ssl;
      }
      return new RawWebSocket(s, host.contains(":") ? "[" + host + "]" : host);
    } catch (IOException e) {
      closeQuietly(s);
      throw new UncheckedIOException("cannot connect to " + host + ":" + port, e);
    }
  }

  /**
   * A connection to a {@code ws://} or {@code wss://} URI, upgraded on its path and query with the
   * extra {@code headers}; fails unless the server answers 101 with the right accept key. Reads in
   * the background from then on.
   */
  public static RawWebSocket open(URI uri, Map<String, String> headers, SSLContext tls) {
    boolean secure = "wss".equalsIgnoreCase(uri.getScheme());
    if (!secure && !"ws".equalsIgnoreCase(uri.getScheme())) {
      throw new IllegalArgumentException("not a ws:// or wss:// URI: " + uri);
    }
    if (secure && tls == null) {
      try {
        tls = SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
    RawWebSocket ws = connect(uri.getHost(), port, secure ? tls : null);
    try {
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (uri.getRawQuery() != null) {
        path += "?" + uri.getRawQuery();
      }
      Map<String, String> h = new LinkedHashMap<>();
      h.put("Host", uri.getHost() + ":" + port);
      h.putAll(headers);
      String key = Base64.getEncoder().encodeToString(randomBytes(16));
      Handshake hs = ws.upgrade(path, key, h);
      if (hs.status() != 101) {
        throw new AssertionError("upgrade refused: " + hs.head());
      }
      if (!acceptFor(key).equals(hs.header("Sec-WebSocket-Accept"))) {
        throw new AssertionError("wrong Sec-WebSocket-Accept: " + hs.head());
      }
      return ws.readInBackground();
    } catch (RuntimeException | Error e) {
      ws.abort();
      throw e;
    }
  }

  /** {@link #open(URI, Map, SSLContext)} on {@code ws://127.0.0.1:port/}. */
  public static RawWebSocket open(int port) {
    return open(port, Map.of());
  }

  /**
   * {@link #open(URI, Map, SSLContext)} on {@code ws://127.0.0.1:port/} with the extra request
   * {@code headers} (e.g. {@code Authorization}, {@code Origin}).
   */
  public static RawWebSocket open(int port, Map<String, String> headers) {
    return open(URI.create("ws://127.0.0.1:" + port + "/"), headers, null);
  }

  /** How long each wait may take (15 s unless set). */
  public RawWebSocket timeout(Duration t) {
    this.timeout = t;
    return this;
  }

  /** Whether pings read are answered with pongs and a close frame with a close frame. */
  public RawWebSocket autoReply(boolean on) {
    this.autoReply = on;
    return this;
  }

  // ------------------------------------------------------------------ the upgrade

  /** Sends {@code ascii} as it is (ISO-8859-1), e.g. a partial request. */
  public RawWebSocket sendRaw(String ascii) {
    return sendRaw(ascii.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Sends {@code bytes} as they are. */
  public RawWebSocket sendRaw(byte[] bytes) {
    write(bytes);
    return this;
  }

  /**
   * Sends an upgrade request for {@code /} ({@code Host: 127.0.0.1}, the sample key) and returns
   * the response head; frames may follow when it is a 101.
   */
  public Handshake upgrade() {
    return upgrade("/", Map.of());
  }

  /**
   * Sends an upgrade request for {@code pathAndQuery} with the extra {@code headers} (a {@code
   * Host} among them replaces the default) and returns the response head.
   */
  public Handshake upgrade(String pathAndQuery, Map<String, String> headers) {
    return upgrade(pathAndQuery, SAMPLE_KEY, headers);
  }

  private Handshake upgrade(String path, String key, Map<String, String> headers) {
    StringBuilder req = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n");
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Host", hostHeader);
    h.put("Upgrade", "websocket");
    h.put("Connection", "Upgrade");
    h.put("Sec-WebSocket-Key", key);
    h.put("Sec-WebSocket-Version", "13");
    headers.forEach(
        (name, value) -> {
          h.keySet().removeIf(k -> k.equalsIgnoreCase(name));
          h.put(name, value);
        });
    h.forEach((name, value) -> req.append(name).append(": ").append(value).append("\r\n"));
    sendRaw(req.append("\r\n").toString());
    Handshake hs = readResponseHead();
    upgraded = hs.status() == 101;
    return hs;
  }

  /** Reads an HTTP response head (up to the blank line), within the timeout. */
  public Handshake readResponseHead() {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (readLock) {
      try {
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
          socket.setSoTimeout(remainingMillis(deadline));
          int b = in.read();
          if (b < 0) {
            throw new UncheckedIOException(new IOException("closed during upgrade: " + head));
          }
          head.write(b);
        }
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no complete response head within " + timeout + ": " + head, e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    String s = head.toString(StandardCharsets.ISO_8859_1);
    String[] status = s.split(" ", 3);
    int code = status.length > 1 && status[1].matches("\\d{3}") ? Integer.parseInt(status[1]) : -1;
    return new Handshake(code, s);
  }

  /** The accept key a server must answer {@code key} with. */
  public static String acceptFor(String key) {
    try {
      return Base64.getEncoder()
          .encodeToString(
              MessageDigest.getInstance("SHA-1")
                  .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // ------------------------------------------------------------------ sending

  /**
   * The bytes of one client frame: {@code firstByte} (FIN, RSV, opcode) as given, the shortest
   * length form, {@code mask} (4 bytes) and the masked payload.
   */
  public static byte[] encode(int firstByte, byte[] payload, byte[] mask) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
    f.writeBytes(header(firstByte, payload.length, mask, false));
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i & 3]);
    }
    return f.toByteArray();
  }

  /**
   * A masked frame header announcing {@code length} payload bytes: the shortest length form, or
   * always the 8-byte form when {@code longForm}.
   */
  public static byte[] header(int firstByte, long length, byte[] mask, boolean longForm) {
    ByteArrayOutputStream f = new ByteArrayOutputStream(14);
    f.write(firstByte);
    if (length < 126 && !longForm) {
      f.write(0x80 | (int) length);
    } else if (length <= 0xFFFF && !longForm) {
      f.write(0x80 | 126);
      f.write((int) (length >> 8) & 0xFF);
      f.write((int) length & 0xFF);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) (length >> shift) & 0xFF);
      }
    }
    f.writeBytes(mask);
    return f.toByteArray();
  }

  /** Sends one masked frame with the given first byte (FIN, RSV bits, opcode). */
  public RawWebSocket frame(int firstByte, byte[] payload) {
    write(encode(firstByte, payload, randomBytes(4)));
    return this;
  }

  /**
   * Sends only the header of a masked frame announcing {@code length} payload bytes (8-byte length
   * form, all-zero mask), and no payload: for a server that must refuse on the header alone.
   */
  public RawWebSocket frameHeader(int firstByte, long length) {
    write(header(firstByte, length, new byte[4], true));
    return this;
  }

  /** Sends one message of {@code opcode} as fragments: the first frame, continuations, FIN last. */
  public RawWebSocket fragments(int opcode, byte[]... parts) {
    for (int i = 0; i < parts.length; i++) {
      int op = i == 0 ? opcode : CONTINUATION;
      frame((i == parts.length - 1 ? FIN : 0) | op, parts[i]);
    }
    return this;
  }

  public RawWebSocket sendText(String s) {
    return frame(FIN | TEXT, s.getBytes(StandardCharsets.UTF_8));
  }

  public RawWebSocket sendBinary(String s) {
    return sendBinary(s.getBytes(StandardCharsets.UTF_8));
  }

  public RawWebSocket sendBinary(byte[] b) {
    return frame(FIN | BINARY, b);
  }

  public RawWebSocket ping(byte[] payload) {
    return frame(FIN | PING, payload);
  }

  /** Sends a close frame with {@code code} and {@code reason}. */
  public RawWebSocket sendClose(int code, String reason) {
    byte[] r = reason.getBytes(StandardCharsets.UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    closeSent = true;
    return frame(FIN | CLOSE, p);
  }

  /** Sends a control packet (TEXT) with an id and returns the next TEXT: its reply. */
  public String control(String jsonWithId) {
    sendText(jsonWithId);
    return nextText();
  }

  private void write(byte[] bytes) {
    synchronized (writeLock) {
      try {
        out.write(bytes);
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  // ------------------------------------------------------------------ receiving

  /**
   * Reads frames in a background thread from now on (it ends with the connection), so the peer
   * reads all the time, like a library client; waits then just wait for the inbox.
   */
  public synchronized RawWebSocket readInBackground() {
    if (reader == null) {
      Thread t = new Thread(this::readLoop, "raw-websocket-reader");
      t.setDaemon(true);
      reader = t;
      t.start();
    }
    return this;
  }

  private void readLoop() {
    while (!ended) {
      readSome(Duration.ofSeconds(1).toNanos() + System.nanoTime());
    }
  }

  /** The next frame of any kind (pings and closes too), or a failure after the timeout. */
  public Frame nextFrame() {
    return required(pollFrame(timeout), "a frame");
  }

  /** The next frame of any kind, or null when none comes within {@code wait}. */
  public Frame pollFrame(Duration wait) {
    return take(f -> true, wait);
  }

  /** The next TEXT message (reassembled), leaving other frames in the inbox; fails on timeout. */
  public String nextText() {
    return required(pollText(timeout), "a TEXT frame");
  }

  /** The next TEXT matching {@code wanted}; TEXTs before it that do not match are dropped. */
  public String nextText(Predicate<String> wanted) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String t = pollText(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (t == null) {
        throw new AssertionError("no matching TEXT frame within " + timeout);
      }
      if (wanted.test(t)) {
        return t;
      }
    }
  }

  /** The next TEXT, or null when none comes within {@code wait} (zero: only what arrived). */
  public String pollText(Duration wait) {
    Frame f = take(message(TEXT), wait);
    return f == null ? null : f.text();
  }

  /** The next BINARY message as UTF-8, leaving other frames in the inbox; fails on timeout. */
  public String nextBinary() {
    return new String(nextBinaryBytes(), StandardCharsets.UTF_8);
  }

  /** The next BINARY message's bytes; fails on timeout. */
  public byte[] nextBinaryBytes() {
    return required(pollBinary(timeout), "a BINARY frame");
  }

  /** The next BINARY message's bytes, or null when none comes within {@code wait}. */
  public byte[] pollBinary(Duration wait) {
    Frame f = take(message(BINARY), wait);
    return f == null ? null : f.payload();
  }

  /** How many received messages of {@code opcode} wait in the inbox (without reading more). */
  public int pending(int opcode) {
    synchronized (inbox) {
      return (int) inbox.stream().filter(f -> f.opcode() == opcode).count();
    }
  }

  /**
   * The TEXT messages received and not yet taken, in arrival order, without taking them (and
   * without reading more).
   */
  public List<String> pendingTexts() {
    synchronized (inbox) {
      return inbox.stream().filter(message(TEXT)).map(Frame::text).toList();
    }
  }

  /** Drops everything received so far. */
  public void clearReceived() {
    synchronized (inbox) {
      inbox.clear();
    }
  }

  /**
   * Completed when the server's close frame is read (its code and reason), or with code -1 when the
   * stream ends without one. Only completes while something reads: the background reader, or a
   * wait.
   */
  public CompletableFuture<Close> closed() {
    return closed;
  }

  /**
   * Reads until the server ends the connection and returns the code of the first close frame it
   * sent, or -1 (also when the upgrade never finished); fails when it stays open past the timeout.
   */
  public int awaitClose() {
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!upgraded) {
      synchronized (readLock) {
        try {
          while (true) {
            socket.setSoTimeout(remainingMillis(deadline));
            if (in.read() < 0) {
              end(new Close(-1, "end of stream"));
              return -1;
            }
          }
        } catch (SocketTimeoutException e) {
          throw new AssertionError("server did not close the connection", e);
        } catch (IOException reset) {
          end(new Close(-1, String.valueOf(reset)));
          return -1;
        }
      }
    }
    while (!ended) {
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("server did not close the connection within " + timeout);
      }
      if (reader != null) {
        try {
          closed.get(Math.max(1, remainingMillis(deadline)), TimeUnit.MILLISECONDS);
          Thread r = reader;
          r.join(Math.max(1, remainingMillis(deadline)));
        } catch (java.util.concurrent.TimeoutException e) {
          // loop: checks the deadline
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
          throw new IllegalStateException(e);
        }
      } else {
        readSome(deadline);
      }
    }
    return closed.join().code();
  }

  /** Whether the server has closed the connection (reads to its end, within the timeout). */
  public boolean closedByServer() {
    awaitClose();
    return true;
  }

  private static Predicate<Frame> message(int opcode) {
    return f -> f.opcode() == opcode;
  }

  private <T> T required(T value, String what) {
    if (value == null) {
      throw new AssertionError("no " + what + " within " + timeout);
    }
    return value;
  }

  private Frame take(Predicate<Frame> wanted, Duration wait) {
    long deadline = System.nanoTime() + wait.toNanos();
    boolean readOnce = false;
    while (true) {
      synchronized (inbox) {
        for (Iterator<Frame> it = inbox.iterator(); it.hasNext(); ) {
          Frame f = it.next();
          if (wanted.test(f)) {
            it.remove();
            return f;
          }
        }
        boolean late = System.nanoTime() - deadline >= 0;
        if (ended || (late && (readOnce || reader != null))) {
          return null;
        }
        if (reader != null) {
          try {
            inbox.wait(Math.max(1, remainingMillis(deadline)));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
          }
          continue;
        }
      }
      readSome(deadline);
      readOnce = true;
    }
  }

  /** Reads what arrives until {@code deadline} (at least one attempt), parses whole frames. */
  private void readSome(long deadline) {
    synchronized (readLock) {
      if (ended) {
        return;
      }
      try {
        int wait = remainingMillis(deadline);
        if (wait <= 1 && in.available() == 0 && !(socket instanceof SSLSocket)) {
          return; // nothing arrived, and no time to wait for more
        }
        socket.setSoTimeout(Math.max(1, wait));
        if (acc.length - accLen < 4096) {
          acc = java.util.Arrays.copyOf(acc, acc.length * 2);
        }
        int n = in.read(acc, accLen, acc.length - accLen);
        if (n < 0) {
          end(new Close(-1, "end of stream"));
          return;
        }
        accLen += n;
        parse();
      } catch (SocketTimeoutException nothingYet) {
        // the caller checks its deadline
      } catch (IOException e) {
        end(new Close(-1, String.valueOf(e)));
      }
    }
  }

  private void parse() throws IOException {
    int pos = 0;
    while (true) {
      if (accLen - pos < 2) {
        break;
      }
      int b0 = acc[pos] & 0xFF;
      int b1 = acc[pos + 1] & 0xFF;
      int h = 2;
      long len = b1 & 0x7F;
      if (len == 126) {
        if (accLen - pos < 4) {
          break;
        }
        len = ((acc[pos + 2] & 0xFF) << 8) | (acc[pos + 3] & 0xFF);
        h = 4;
      } else if (len == 127) {
        if (accLen - pos < 10) {
          break;
        }
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | (acc[pos + 2 + i] & 0xFF);
        }
        h = 10;
      }
      boolean masked = (b1 & 0x80) != 0;
      int maskAt = pos + h;
      if (masked) {
        h += 4;
      }
      if (len > Integer.MAX_VALUE - 64) {
        throw new IOException("frame too large: " + len);
      }
      if (accLen - pos < h + len) {
        if (acc.length < h + len + 4096) {
          acc = java.util.Arrays.copyOf(acc, (int) (h + len + 8192));
        }
        break;
      }
      byte[] payload = java.util.Arrays.copyOfRange(acc, pos + h, pos + h + (int) len);
      if (masked) {
        for (int i = 0; i < payload.length; i++) {
          payload[i] ^= acc[maskAt + (i & 3)];
        }
      }
      pos += h + (int) len;
      received(new Frame(b0, payload));
    }
    System.arraycopy(acc, pos, acc, 0, accLen - pos);
    accLen -= pos;
  }

  private void received(Frame f) {
    int op = f.opcode();
    if (op == PING && autoReply && !closeSent) {
      try {
        frame(FIN | PONG, f.payload());
      } catch (UncheckedIOException ignored) {
        // the connection is going: the read will tell
      }
    }
    if (op == CLOSE) {
      if (autoReply && !closeSent) {
        try {
          byte[] echo = java.util.Arrays.copyOf(f.payload(), Math.min(2, f.payload().length));
          closeSent = true;
          frame(FIN | CLOSE, echo);
        } catch (UncheckedIOException ignored) {
          // already gone
        }
      }
      closed.complete(new Close(f.closeCode(), f.closeReason()));
    }
    // fragments become one message in the inbox; control frames may come between them
    if ((op == TEXT || op == BINARY) && !f.fin()) {
      fragmentedOpcode = op;
      fragmented.reset();
      fragmented.writeBytes(f.payload());
      return;
    }
    if (op == CONTINUATION && fragmentedOpcode >= 0) {
      fragmented.writeBytes(f.payload());
      if (!f.fin()) {
        return;
      }
      f = new Frame(FIN | f.rsv() << 4 | fragmentedOpcode, fragmented.toByteArray());
      fragmentedOpcode = -1;
    }
    synchronized (inbox) {
      inbox.add(f);
      inbox.notifyAll();
    }
  }

  private void end(Close how) {
    ended = true;
    closed.complete(how);
    synchronized (inbox) {
      inbox.notifyAll();
    }
    closeQuietly(socket);
  }

  // ------------------------------------------------------------------ ending

  /** Cuts the TCP connection without a close frame, as a dropped link would. */
  public void abort() {
    ended = true;
    closeQuietly(socket);
    closed.complete(new Close(-1, "aborted"));
    synchronized (inbox) {
      inbox.notifyAll();
    }
  }

  /**
   * Sends a close frame (1000) when the upgrade finished and none was sent yet, waiting at most 2 s
   * for the write (a server that stopped reading cannot block it), then closes the socket.
   */
  @Override
  public void close() {
    if (upgraded && !closeSent && !ended && !socket.isClosed()) {
      Thread t =
          new Thread(
              () -> {
                try {
                  sendClose(1000, "");
                } catch (UncheckedIOException ignored) {
                  // gone already
                }
              },
              "raw-websocket-close");
      t.setDaemon(true);
      t.start();
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    abort();
  }

  private static int remainingMillis(long deadline) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(0, Math.min(Integer.MAX_VALUE, ms));
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    ThreadLocalRandom.current().nextBytes(b);
    return b;
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public String toString() {
    return "RawWebSocket[" + socket.getLocalPort() + "->" + socket.getPort() + "]";
  }
}
