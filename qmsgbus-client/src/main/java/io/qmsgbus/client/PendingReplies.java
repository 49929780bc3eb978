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

  /** A request whose future gets the whole reply object (e.g. the {@code inbox} it names). */
  record Answered(long id, CompletableFuture<Map<String, Object>> reply) {}

  private final AtomicLong nextId = new AtomicLong();
  private final Map<Long, CompletableFuture<Map<String, Object>>> waiting =
      new ConcurrentHashMap<>();
  private final Duration timeout;

  PendingReplies(Duration timeout) {
    this.timeout = timeout;
  }

  /** Starts a request; its future fails with a TimeoutException if no reply comes in time. */
  Request start() {
    Answered a = startAnswered();
    CompletableFuture<Void> reply = new CompletableFuture<>();
    a.reply()
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                reply.completeExceptionally(error);
              } else {
                reply.complete(null);
              }
            });
    return new Request(a.id(), reply);
  }

  /** Like {@link #start()}, the future completing with the server's reply object. */
  Answered startAnswered() {
    long id = nextId();
    CompletableFuture<Map<String, Object>> reply = new CompletableFuture<>();
    waiting.put(id, reply);
    // what the caller sees completes after the id is gone, so it never finds the request waiting
    CompletableFuture<Map<String, Object>> seen = new CompletableFuture<>();
    reply
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (answer, error) -> {
              waiting.remove(id);
              if (error != null) {
                seen.completeExceptionally(error);
              } else {
                seen.complete(answer);
              }
            });
    return new Answered(id, seen);
  }

  /**
   * A fresh id that no request of this object will use: for packets whose replies are tracked
   * elsewhere (the requests of {@link BusClient#request}), so that their ids never collide.
   */
  long nextId() {
    return nextId.incrementAndGet();
  }

  /**
   * Completes request {@code id} with the server's verdict.
   *
   * @return false if no request with that id is waiting (late, or not ours)
   */
  boolean complete(long id, boolean ok, String error) {
    Map<String, Object> reply = new java.util.HashMap<>();
    reply.put("ok", ok);
    reply.put("error", error);
    return complete(id, reply);
  }

  /**
   * Completes request {@code id} with the server's reply object: ok when it says {@code "ok":true},
   * otherwise failed with its {@code error} text.
   *
   * @return false if no request with that id is waiting (late, or not ours)
   */
  boolean complete(long id, Map<String, Object> answer) {
    CompletableFuture<Map<String, Object>> reply = waiting.remove(id);
    if (reply == null) {
      return false;
    }
    if (Boolean.TRUE.equals(answer.get("ok"))) {
      reply.complete(answer);
    } else {
      String error = answer.get("error") instanceof String s ? s : null;
      reply.completeExceptionally(new BusException(error == null ? "request refused" : error));
    }
    return true;
  }

  /** Fails request {@code id}, e.g. because its packet could not be sent. */
  void fail(long id, Throwable cause) {
    CompletableFuture<Map<String, Object>> reply = waiting.remove(id);
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
