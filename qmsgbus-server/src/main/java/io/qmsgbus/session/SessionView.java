package io.qmsgbus.session;

import io.qmsgbus.auth.Identity;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API and tests may see of a session: who it is and a consistent snapshot, never the
 * live session itself (its state belongs to its event loop).
 */
public interface SessionView {

  long id();

  /** The durable session's name, or null for one that ends with its connection. */
  String name();

  /** Who the client authenticated as, or null when the server has no auth. */
  Identity identity();

  long connectedAtMillis();

  /** A consistent snapshot, taken on the session's event loop. */
  CompletableFuture<SessionSnapshot> snapshot();
}
