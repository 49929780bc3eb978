package io.qmsgbus.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests waiting for their {@code {"id":N,"ok":...}} reply. Each request gets a fresh numeric id;
 * its future completes when the reply arrives, fails on {@code ok:false}, on timeout, or when the
 * connection is lost (a reply can then never come).
 */
final class PendingReplies {

  /** A request in flight: the id to put in the packet and the future its reply completes. */
  record Request(long id, CompletableFuture<Void> reply) {}

  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();
  private final Duration timeout;

  PendingReplies(Duration timeout) {
    this.timeout = timeout;
  }

  /** Starts a request; its future fails with a TimeoutException if no reply comes in time. */
  Request start() {
    long id = nextId.incrementAndGet();
    CompletableFuture<Void> reply = new CompletableFuture<>();
    waiting.put(id, reply);
    reply
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((ok, error) -> waiting.remove(id));
    return new Request(id, reply);
  }

  /**
   * Completes request {@code id} with the server's verdict.
   *
   * @return false if no request with that id is waiting (late, or not ours)
   */
  boolean complete(long id, boolean ok, String error) {
    CompletableFuture<Void> reply = waiting.remove(id);
    if (reply == null) {
      return false;
    }
    if (ok) {
      reply.complete(null);
    } else {
      reply.completeExceptionally(new BusException(error == null ? "request refused" : error));
    }
    return true;
  }

  /** Fails request {@code id}, e.g. because its packet could not be sent. */
  void fail(long id, Throwable cause) {
    CompletableFuture<Void> reply = waiting.remove(id);
    if (reply != null) {
      reply.completeExceptionally(cause);
    }
  }

  /** Fails every waiting request with {@code cause}. */
  void failAll(Throwable cause) {
    for (Long id : waiting.keySet()) {
      fail(id, cause);
    }
  }
}
