package io.qmsgbus.cluster;

import io.lettuce.core.KeyValue;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The nodes of the cluster, as they say in Redis: each writes a short JSON line about itself every
 * second under a key that expires after {@link #TTL_MILLIS}, and names itself in one set; a node
 * that stops beating (killed, or cut off from Redis) drops out within the TTL. Read for {@code
 * /api/cluster} and the console.
 */
final class NodeDirectory {

  static final long BEAT_MILLIS = 1_000;
  static final long TTL_MILLIS = 5_000;

  private final StatefulRedisConnection<String, String> redis;
  private final EventExecutor loop;
  private final String node;
  private final String key;
  private final String setKey;
  private final String keyPrefix;
  private final Supplier<NodeReport> report;
  private final ClusterStats stats;
  private final long startedMillis = System.currentTimeMillis();
  private ScheduledFuture<?> beat;
  private long lastIn = -1;
  private long lastOut;
  private long lastBeatNanos;
  private volatile String self = "{}";

  NodeDirectory(
      StatefulRedisConnection<String, String> redis,
      EventExecutor loop,
      String prefix,
      String node,
      Supplier<NodeReport> report,
      ClusterStats stats) {
    this.redis = redis;
    this.loop = loop;
    this.node = node;
    this.keyPrefix = prefix + ":node:";
    this.key = keyPrefix + node;
    this.setKey = prefix + ":nodes";
    this.report = report;
    this.stats = stats;
  }

  void start() {
    beat = loop.scheduleAtFixedRate(this::beat, 0, BEAT_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void beat() {
    self = describe();
    if (!redis.isOpen()) {
      return;
    }
    try {
      redis.async().set(key, self, SetArgs.Builder.px(TTL_MILLIS));
      redis.async().sadd(setKey, node);
    } catch (RuntimeException e) {
      // the link went just now: the next beat tries again
    }
  }

  /** This node's line: what it reports, its rates over the last beat, its link. */
  private String describe() {
    NodeReport r = report.get();
    long now = System.nanoTime();
    double in = 0;
    double out = 0;
    if (lastIn >= 0 && now > lastBeatNanos) {
      double seconds = (now - lastBeatNanos) / 1e9;
      in = (r.packetsIn() - lastIn) / seconds;
      out = (r.packetsOut() - lastOut) / seconds;
    }
    lastIn = r.packetsIn();
    lastOut = r.packetsOut();
    lastBeatNanos = now;
    return "{\"name\":\""
        + node
        + "\",\"url\":\""
        + r.url().replace("\\", "\\\\").replace("\"", "\\\"")
        + "\",\"clients\":"
        + r.clients()
        + ",\"skills\":"
        + r.skills()
        + ",\"inPerSecond\":"
        + Math.round(in)
        + ",\"outPerSecond\":"
        + Math.round(out)
        + ",\"redis\":\""
        + (stats.linkUp ? "up" : "down")
        + "\",\"startedAt\":"
        + startedMillis
        + ",\"updatedAt\":"
        + System.currentTimeMillis()
        + "}";
  }

  /**
   * Every node's line, this one first (always there, from memory, even while Redis is down), then
   * the others that beat within the TTL, by name. A node whose key expired is taken off the set.
   */
  CompletionStage<List<String>> nodes() {
    List<String> all = new ArrayList<>();
    all.add(self);
    if (!redis.isOpen()) {
      return CompletableFuture.completedFuture(all);
    }
    return redis
        .async()
        .smembers(setKey)
        .thenCompose(
            names -> {
              names.remove(node);
              if (names.isEmpty()) {
                return CompletableFuture.completedFuture(all);
              }
              List<String> sorted = new ArrayList<>(names);
              sorted.sort(null);
              String[] keys = sorted.stream().map(n -> keyPrefix + n).toArray(String[]::new);
              return redis
                  .async()
                  .mget(keys)
                  .thenApply(
                      values -> {
                        for (int i = 0; i < values.size(); i++) {
                          KeyValue<String, String> kv = values.get(i);
                          if (kv.hasValue()) {
                            all.add(kv.getValue());
                          } else {
                            redis.async().srem(setKey, sorted.get(i));
                          }
                        }
                        return all;
                      });
            })
        .exceptionally(e -> all);
  }

  String self() {
    return self;
  }

  void close() {
    if (beat != null) {
      beat.cancel(false);
    }
    if (redis.isOpen()) {
      try {
        redis.sync().del(key);
        redis.sync().srem(setKey, node);
      } catch (RuntimeException e) {
        // it expires by itself
      }
    }
  }
}
