package io.qmsgbus.client;

import java.io.IOException;

/**
 * A bus operation failed: the connection could not be opened or was lost, the client was closed, or
 * the server answered a request with {@code "ok": false} (the message is then the server's {@code
 * error} text).
 */
public class BusException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Creates an exception with a message. */
  public BusException(String message) {
    super(message);
  }

  /** Creates an exception with a message and the failure behind it. */
  public BusException(String message, Throwable cause) {
    super(message, cause);
  }
}
