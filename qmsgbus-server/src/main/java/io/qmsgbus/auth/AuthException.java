package io.qmsgbus.auth;

/**
 * A credential was refused. The message is safe to log and to show the client: it never holds the
 * token, the password or the secret.
 */
public final class AuthException extends Exception {

  private static final long serialVersionUID = 1L;

  public AuthException(String reason) {
    super(reason);
  }
}
