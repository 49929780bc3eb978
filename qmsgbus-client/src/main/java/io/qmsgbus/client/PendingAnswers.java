package io.qmsgbus.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Requests of {@link BusClient#request} waiting for their answer: a message on the client's inbox
 * whose {@code "re"} is the request's id. Each future completes with the first such message, fails
 * with the server's error (e.g. "no receivers"), on its timeout, or when the connection is lost
 * (the inbox goes with it, so an answer can then never come).
 */
final class PendingAnswers {

  private final Map<Long, CompletableFuture<Message>> waiting = new ConcurrentHashMap<>();

  /** Starts waiting for the answer to request {@code id}. */
  CompletableFuture<Message> start(long id, Duration timeout) {
    CompletableFuture<Message> answer = new CompletableFuture<>();
    waiting.put(id, answer);
    answer
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete((m, error) -> waiting.remove(id));
    return answer;
  }

  /**
   * Completes request {@code id} with {@code answer}.
   *
   * @return false if no request with that id is waiting (answered already, timed out, not ours)
   */
  boolean answer(long id, Message answer) {
    CompletableFuture<Message> f = waiting.remove(id);
    return f != null && f.complete(answer);
  }

  /**
   * Fails request {@code id}.
   *
   * @return false if no request with that id is waiting
   */
  boolean fail(long id, Throwable cause) {
    CompletableFuture<Message> f = waiting.remove(id);
    return f != null && f.completeExceptionally(cause);
  }

  /** Fails every waiting request with {@code cause}. */
  void failAll(Throwable cause) {
    for (Long id : waiting.keySet()) {
      fail(id, cause);
    }
  }
}
