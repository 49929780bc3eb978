package io.qmsgbus.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports that nothing listens on. */
public final class FreePorts {

  private FreePorts() {}

  /**
   * A loopback TCP port that was free a moment ago: bound and closed again, so nothing listens on
   * it (for "connection refused" tests, or a child process that needs a port on its command line).
   * Another process may take it in between; prefer port 0 where the code under test allows it.
   */
  public static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
