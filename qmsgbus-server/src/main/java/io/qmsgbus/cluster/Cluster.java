package io.qmsgbus.cluster;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.lettuce.core.resource.EpollProvider;
import io.lettuce.core.resource.IOUringProvider;
import io.lettuce.core.resource.KqueueProvider;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import io.qmsgbus.routing.LocalRouter;
import io.qmsgbus.routing.Router;
import io.qmsgbus.session.SharedSessions;
import io.qmsgbus.store.SessionStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's membership of a cluster: the router that reaches the other nodes through Redis, the
 * link's state and counters, and the node directory. Made only when the {@code cluster} setting is
 * given, so Lettuce is loaded only then.
 */
public final class Cluster implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Cluster.class);

  private final ClusterOptions options;
  private final ClientResources resources;
  private final RedisLink link;
  private final Interest interest;
  private final ClusterRouter router;
  private final NodeDirectory directory;
  private final ClusterStats stats = new ClusterStats();
  private final RedisSessions sessions;
  private final boolean sharedLoops;

  private Cluster(
      ServerConfig config,
      EventLoopGroup loops,
      String transport,
      LocalRouter local,
      ByteAccount account,
      Supplier<NodeReport> report) {
    this.options = ClusterOptions.from(config);
    this.sharedLoops = lettuceMatches(transport);
    DefaultClientResources.Builder b =
        DefaultClientResources.builder()
            .computationThreadPoolSize(1)
            .commandLatencyRecorder(CommandLatencyRecorder.disabled())
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(100), Duration.ofSeconds(5), 2, TimeUnit.MILLISECONDS));
    if (sharedLoops) {
      b.eventLoopGroupProvider(new SharedEventLoops(loops));
    } else {
      b.ioThreadPoolSize(1);
    }
    this.resources = b.build();
    EventExecutor home = loops.next();
    try {
      this.link = new RedisLink(options, resources, home, ByteBufAllocator.DEFAULT, stats);
    } catch (RuntimeException e) {
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw e;
    }
    this.interest =
        new Interest(
            home,
            link,
            local::hasReceivers,
            () -> new ArrayList<>(local.receiverCounts().keySet()),
            options.unsubscribeDelayMillis(),
            options.subscribeTimeoutMillis());
    this.router = new ClusterRouter(local, interest, link);
    this.sessions =
        new RedisSessions(link.control(), link.bytes(), options.prefix(), options.node(), account);
    link.start(
        interest,
        new RedisLink.Inbound() {
          @Override
          public void deliver(String skill, Envelope.Decoded d) {
            Message m =
                Message.of(
                    skill, d.packet().retain(), d.origin(), d.sequence(), d.idJson(), account);
            try {
              router.deliverFromRemote(m);
            } finally {
              m.release();
            }
          }

          @Override
          public void gap(String skill, String node, long missed) {
            local.gap(skill, node, missed);
          }
        },
        sessions);
    this.directory =
        new NodeDirectory(link.control(), home, options.prefix(), options.node(), report, stats);
    directory.start();
    log.info(
        "cluster: node {} on {} (prefix {}, {} event loops)",
        options.node(),
        options.redacted(),
        options.prefix(),
        sharedLoops ? "sharing the bus's" : "its own");
  }

  /**
   * Joins the cluster named by {@code config}.
   *
   * @param loops the bus's event loops (Lettuce shares them when its transport matches)
   * @param transport the bus's transport, {@code epoll} or {@code nio}
   * @param local this node's router, which the cluster's wraps
   * @param account what messages from other nodes count against (the queue budget)
   * @param report what this node says about itself in the directory
   * @throws IllegalStateException if Redis cannot be reached
   * @throws IllegalArgumentException for a bad URL or password file
   */
  public static Cluster join(
      ServerConfig config,
      EventLoopGroup loops,
      String transport,
      LocalRouter local,
      ByteAccount account,
      Supplier<NodeReport> report) {
    return new Cluster(config, loops, transport, local, account, report);
  }

  /** Whether Lettuce would pick the same transport as the bus (then it can share its loops). */
  private static boolean lettuceMatches(String transport) {
    boolean lettuceNative =
        EpollProvider.isAvailable()
            || KqueueProvider.isAvailable()
            || IOUringProvider.isAvailable();
    if ("epoll".equals(transport)) {
      return EpollProvider.isAvailable();
    }
    return "nio".equals(transport) && !lettuceNative;
  }

  /** The router every session subscribes through. */
  public Router router() {
    return router;
  }

  public String node() {
    return options.node();
  }

  /** The Redis URL, password blanked. */
  public String redisUrl() {
    return options.redacted();
  }

  public ClusterStats stats() {
    return stats;
  }

  /** Skills this node is subscribed to in Redis now. */
  public int subscriptions() {
    return interest.subscribedCount();
  }

  /** Whether Lettuce runs on the bus's event loops. */
  public boolean sharesEventLoops() {
    return sharedLoops;
  }

  /** Where durable sessions live in the cluster (and the store of those this node holds). */
  public SharedSessions sessions() {
    return sessions;
  }

  /** The store the session registry writes through for the sessions this node holds. */
  public SessionStore store() {
    return sessions;
  }

  /** Every live node's directory line (JSON objects), this node's first. */
  public CompletionStage<List<String>> nodes() {
    return directory.nodes();
  }

  @Override
  public void close() {
    sessions.close();
    directory.close();
    link.close();
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
