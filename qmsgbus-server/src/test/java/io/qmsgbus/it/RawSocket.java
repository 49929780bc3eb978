package io.qmsgbus.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A WebSocket peer written byte by byte, for what well-behaved clients never send: partial
 * upgrades, reserved bits, silence after the handshake. Every read has a timeout.
 */
public final class RawSocket implements AutoCloseable {

  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RawSocket(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setSoTimeout(15_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public RawSocket send(String ascii) throws IOException {
    out.write(ascii.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return this;
  }

  /** Completes an upgrade on {@code /} and returns the response head. */
  public String upgrade() throws IOException {
    send(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed during upgrade: " + head);
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /**
   * Sends only the header of a masked frame announcing {@code length} payload bytes (8-byte length
   * form), and no payload: for a server that must refuse on the header alone.
   */
  public RawSocket frameHeader(int firstByte, long length) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(firstByte);
    f.write(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8) {
      f.write((int) (length >> shift) & 0xFF);
    }
    f.write(new byte[4]); // the all-zero masking key
    out.write(f.toByteArray());
    out.flush();
    return this;
  }

  /** Sends one masked frame with the given first byte (FIN, RSV bits, opcode). */
  public RawSocket frame(int firstByte, byte[] payload) throws IOException {
    ByteArrayOutputStream f = new ByteArrayOutputStream();
    f.write(firstByte);
    if (payload.length < 126) {
      f.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      f.write(0x80 | 126);
      f.write(payload.length >> 8);
      f.write(payload.length & 0xFF);
    } else {
      f.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) payload.length >> shift) & 0xFF);
      }
    }
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    f.write(mask);
    for (int i = 0; i < payload.length; i++) {
      f.write(payload[i] ^ mask[i % 4]);
    }
    out.write(f.toByteArray());
    out.flush();
    return this;
  }

  /**
   * Reads the server's frames until the next TEXT frame and returns its payload (pings and other
   * frames are skipped); fails when the server closes first or sends nothing in the timeout.
   */
  public String nextText() throws IOException {
    while (true) {
      int b0 = in.read();
      if (b0 < 0) {
        throw new IOException("closed before a text frame");
      }
      long len = in.read() & 0x7F;
      if (len == 126) {
        len = (in.read() << 8) | in.read();
      } else if (len == 127) {
        len = 0;
        for (int i = 0; i < 8; i++) {
          len = (len << 8) | in.read();
        }
      }
      byte[] payload = in.readNBytes((int) len);
      int opcode = b0 & 0x0F;
      if (opcode == 0x1) {
        return new String(payload, StandardCharsets.UTF_8);
      }
      if (opcode == 0x8) {
        throw new IOException("closed before a text frame");
      }
    }
  }

  /**
   * Reads frames until the server closes; returns the first close code it sent (or -1) once the TCP
   * stream ends.
   */
  public int awaitClose() throws IOException {
    int code = -1;
    try {
      while (true) {
        int b0 = in.read();
        if (b0 < 0) {
          return code;
        }
        int len = in.read() & 0x7F;
        if (len == 126) {
          len = (in.read() << 8) | in.read();
        } else if (len == 127) {
          throw new IOException("unexpected huge frame");
        }
        byte[] payload = in.readNBytes(len);
        if ((b0 & 0x0F) == 0x8 && payload.length >= 2 && code == -1) {
          code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("server did not close the connection", e);
    } catch (IOException reset) {
      return code;
    }
  }

  /** Whether the server has closed the connection (reads to end of stream, within the timeout). */
  public boolean closedByServer() throws IOException {
    awaitClose();
    return true;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
