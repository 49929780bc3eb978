package io.qmsgbus.session;

import io.qmsgbus.routing.Receiver;
import io.qmsgbus.routing.Router;
import io.qmsgbus.store.StoredSession;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where durable sessions live when several nodes share them (a cluster): not in one node's memory
 * or data dir, but where any node can load, claim and feed them, so a client whose node died
 * resumes on another. The registry uses it for every named session with an expiry; on one node it
 * is absent and the {@link io.qmsgbus.store.SessionStore} alone keeps sessions.
 */
public interface SharedSessions {

  /** The stored state of {@code name}, or empty if no node has it. Completes on any thread. */
  CompletionStage<Optional<StoredSession>> load(String name);

  /**
   * This node takes {@code name}: from now on packets for it wake this node, and the node that had
   * it (if another) is told to let it go (see {@link #onTakenOver}). Completes on any thread.
   */
  CompletionStage<Void> claim(String name);

  /**
   * This node lets {@code name} go (its client detached): kept for {@code expirySeconds}, unless
   * another node claimed it meanwhile (then nothing changes).
   */
  void release(String name, long expirySeconds);

  /** Ends {@code name} everywhere: its state and queue go. */
  void delete(String name);

  /** The router a shared session registers through: the cluster-wide index of durable receivers. */
  Router routerFor(String name);

  /**
   * Starts handing {@code session} what is stored for it (from the oldest unacked packet on), and
   * what arrives later, in order, until {@link #stopFeeding}.
   */
  void feed(String name, Receiver session);

  void stopFeeding(String name);

  /** Sets what runs (on any thread) when another node claimed a session this node holds. */
  void onTakenOver(java.util.function.Consumer<String> action);
}
