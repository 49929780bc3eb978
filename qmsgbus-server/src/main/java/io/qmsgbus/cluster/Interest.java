package io.qmsgbus.cluster;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which skills this node is subscribed to in Redis: exactly those its own receivers want, plus, for
 * a short while, those whose last receiver just left (so a client that re-registers at once costs
 * no UNSUBSCRIBE/SUBSCRIBE round). The local router is the truth; every change only asks this class
 * to look at one skill again ({@link #changed}), so the order in which event loops report changes
 * does not matter.
 *
 * <p>Confined to one event loop: no locks, and SUBSCRIBE/UNSUBSCRIBE of one skill go to Redis in
 * the order decided. A register's reply waits on {@link #ready} until Redis confirmed the
 * subscription (or the link is down, or a timeout passed).
 */
final class Interest {

  /** The subscription link, as this class needs it. */
  interface Link {
    /** Whether a subscription link is connected now. */
    boolean up();

    /** Sends SUBSCRIBE for one skill; Redis's confirmation comes to {@link #subscribed}. */
    void subscribe(String skill);

    /** Sends UNSUBSCRIBE for one skill. */
    void unsubscribe(String skill);
  }

  private final EventExecutor loop;
  private final Link link;
  private final Predicate<String> wanted;
  private final Supplier<Collection<String>> allWanted;
  private final long lingerMillis;
  private final long timeoutMillis;

  // all on the loop
  private final Set<String> subscribed = new HashSet<>();
  private final Set<String> requested = new HashSet<>();
  private final Map<String, ScheduledFuture<?>> lingering = new HashMap<>();
  private final Map<String, CompletableFuture<Void>> waiters = new HashMap<>();
  private volatile int subscribedCount;

  /**
   * @param wanted whether this node has a receiver of a skill now (the local router)
   * @param allWanted every skill this node has receivers of (to subscribe after a reconnect)
   */
  Interest(
      EventExecutor loop,
      Link link,
      Predicate<String> wanted,
      Supplier<Collection<String>> allWanted,
      long lingerMillis,
      long timeoutMillis) {
    this.loop = loop;
    this.link = link;
    this.wanted = wanted;
    this.allWanted = allWanted;
    this.lingerMillis = lingerMillis;
    this.timeoutMillis = timeoutMillis;
  }

  /** The local receivers of {@code skill} changed. Any thread. */
  void changed(String skill) {
    loop.execute(() -> reconcile(skill));
  }

  /**
   * Completes when every one of {@code skills} is subscribed in Redis, at once while the link is
   * down (local delivery works; the subscription follows on reconnect), or after the timeout.
   */
  CompletableFuture<Void> ready(Collection<String> skills) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    loop.execute(
        () -> {
          List<CompletableFuture<Void>> pending = new ArrayList<>();
          for (String s : skills) {
            if (link.up() && !subscribed.contains(s) && requested.contains(s)) {
              pending.add(waiters.computeIfAbsent(s, k -> new CompletableFuture<>()));
            }
          }
          if (pending.isEmpty()) {
            done.complete(null);
            return;
          }
          CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
              .whenComplete((v, e) -> done.complete(null));
          loop.schedule(() -> done.complete(null), timeoutMillis, TimeUnit.MILLISECONDS);
        });
    return done;
  }

  /** Redis confirmed a SUBSCRIBE. Any thread. */
  void subscribed(String skill) {
    loop.execute(
        () -> {
          if (requested.remove(skill)) {
            subscribed.add(skill);
            subscribedCount = subscribed.size();
          }
          release(skill);
        });
  }

  /** A SUBSCRIBE could not be sent or was refused. Any thread. */
  void failed(String skill) {
    loop.execute(
        () -> {
          requested.remove(skill);
          release(skill);
        });
  }

  /** A new subscription link is up: subscribe to everything wanted now. Any thread. */
  void linkUp() {
    loop.execute(
        () -> {
          subscribed.clear();
          subscribedCount = 0;
          requested.clear();
          for (String s : allWanted.get()) {
            requested.add(s);
            link.subscribe(s);
          }
        });
  }

  /** The subscription link is gone: nothing is subscribed, and nobody waits for Redis. */
  void linkDown() {
    loop.execute(
        () -> {
          subscribed.clear();
          subscribedCount = 0;
          requested.clear();
          lingering.values().forEach(f -> f.cancel(false));
          lingering.clear();
          List<String> skills = new ArrayList<>(waiters.keySet());
          skills.forEach(this::release);
        });
  }

  private void reconcile(String skill) {
    boolean held = subscribed.contains(skill) || requested.contains(skill);
    if (wanted.test(skill)) {
      ScheduledFuture<?> pending = lingering.remove(skill);
      if (pending != null) {
        pending.cancel(false);
      }
      if (!held && link.up()) {
        requested.add(skill);
        link.subscribe(skill);
      }
    } else if (held && !lingering.containsKey(skill)) {
      lingering.put(
          skill, loop.schedule(() -> lingerOver(skill), lingerMillis, TimeUnit.MILLISECONDS));
    }
  }

  private void lingerOver(String skill) {
    lingering.remove(skill);
    if (!wanted.test(skill) && (subscribed.remove(skill) | requested.remove(skill))) {
      subscribedCount = subscribed.size();
      link.unsubscribe(skill);
    }
  }

  private void release(String skill) {
    CompletableFuture<Void> w = waiters.remove(skill);
    if (w != null) {
      w.complete(null);
    }
  }

  /** Skills subscribed in Redis now (confirmed). Any thread; for stats. */
  int subscribedCount() {
    return subscribedCount;
  }
}
