package io.qmsgbus.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import io.qmsgbus.message.Message;
import io.qmsgbus.message.Receipt;
import io.qmsgbus.skill.SkillName;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's connections to Redis: one that publishes (Lettuce reconnects it; while it is down a
 * publish fails at once instead of queueing), one that subscribes (reconnected here, so that what
 * it is subscribed to after a reconnect is exactly what {@link Interest} wants now, not what
 * Lettuce remembers), and one for the node directory. Packets from other nodes are handed to {@link
 * Inbound} on the subscription's thread, in the order Redis sent them.
 */
final class RedisLink implements Interest.Link {

  private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

  private static final long FIRST_RETRY_MILLIS = 100;
  private static final long LAST_RETRY_MILLIS = 5_000;

  /** Where packets from other nodes go. */
  interface Inbound {
    /** One packet of {@code skill} from another node (the listener keeps its reference). */
    void deliver(String skill, Envelope.Decoded packet);

    /** Packets of {@code skill} from {@code node} were lost on the way. */
    void gap(String skill, String node, long missed);
  }

  private final ClusterOptions options;
  private final RedisClient publishClient;
  private final RedisClient subscribeClient;
  private final RedisURI uri;
  private final PacketCodec codec;
  private final StatefulRedisConnection<String, ByteBuf> publisher;
  private final StatefulRedisConnection<String, String> control;
  private final EventExecutor loop;
  private final ByteBufAllocator alloc;
  private final Sequences sequences = new Sequences(System.currentTimeMillis() * 1_000, 100_000);
  private final Gaps gaps = new Gaps();
  private final ClusterStats stats;
  private final byte[] nodeBytes;
  private final String channelPrefix;
  private final String wakeChannel;
  private final String controlChannel;
  private final ByteBuf keyPrefix;
  private final ByteBuf maxQueue;
  private volatile String fanoutSha;
  private RedisSessions sessions;
  private volatile StatefulRedisPubSubConnection<String, ByteBuf> subscriber;
  private volatile boolean closed;
  private Interest interest;
  private Inbound inbound;
  private long retryMillis = FIRST_RETRY_MILLIS; // on the loop

  RedisLink(
      ClusterOptions options,
      ClientResources resources,
      EventExecutor loop,
      ByteBufAllocator alloc,
      ClusterStats stats) {
    this.options = options;
    this.loop = loop;
    this.alloc = alloc;
    this.stats = stats;
    this.nodeBytes = options.node().getBytes(StandardCharsets.UTF_8);
    this.channelPrefix = options.prefix() + ":s:";
    this.wakeChannel = options.prefix() + ":wake:" + options.node();
    this.controlChannel = options.prefix() + ":ctl:" + options.node();
    this.keyPrefix =
        Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer(options.prefix() + ":", StandardCharsets.UTF_8));
    this.maxQueue =
        Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer(
                Long.toString(options.maxQueuePackets()), StandardCharsets.UTF_8));
    this.uri = options.redisUri();
    this.codec = new PacketCodec(alloc);
    SocketOptions socket =
        SocketOptions.builder().connectTimeout(Duration.ofSeconds(3)).keepAlive(true).build();
    TimeoutOptions timeouts = TimeoutOptions.enabled(Duration.ofSeconds(10));
    SslOptions tls =
        options.caCert().isEmpty()
            ? SslOptions.create()
            : SslOptions.builder()
                .jdkSslProvider()
                .trustManager(new java.io.File(options.caCert()))
                .build();
    this.publishClient = RedisClient.create(resources, uri);
    publishClient.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(options.maxPendingCommands())
            .socketOptions(socket)
            .sslOptions(tls)
            .timeoutOptions(timeouts)
            .build());
    this.subscribeClient = RedisClient.create(resources, uri);
    subscribeClient.setOptions(
        ClientOptions.builder()
            .autoReconnect(false)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(socket)
            .sslOptions(tls)
            .timeoutOptions(timeouts)
            .build());
    try {
      this.publisher = publishClient.connect(codec, uri);
      this.control = publishClient.connect(StringCodec.UTF8, uri);
    } catch (RuntimeException e) {
      shutdownClients();
      throw new IllegalStateException(
          "cannot reach the cluster's Redis at " + options.redacted() + ": " + e.getMessage(), e);
    }
    RedisConnectionStateListener watch =
        new RedisConnectionStateListener() {
          @Override
          public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
            linkChanged();
          }

          @Override
          public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
            linkChanged();
          }
        };
    publisher.addListener(watch);
  }

  /** Starts subscribing: {@code interest} decides to what, {@code inbound} gets the packets. */
  void start(Interest interest, Inbound inbound, RedisSessions sessions) {
    this.interest = interest;
    this.inbound = inbound;
    this.sessions = sessions;
    try {
      this.fanoutSha = publisher.sync().scriptLoad(FANOUT.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      log.debug("cluster: SCRIPT LOAD failed ({}); EVAL on first use", e.toString());
    }
    loop.execute(this::connectSubscriber);
    try { // a node is ready once it can subscribe: a register's ok right after start must hold
      firstSubscription.get(5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException
        | java.util.concurrent.ExecutionException notYet) {
      log.warn(
          "cluster: no subscription link to {} yet; retrying in the background",
          options.redacted());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Completes when the first subscription link is up and its interest is being subscribed. */
  private final CompletableFuture<Void> firstSubscription = new CompletableFuture<>();

  /** The connection for packets (stream reads, publishing). */
  StatefulRedisConnection<String, ByteBuf> bytes() {
    return publisher;
  }

  /** The node directory's connection (text values). */
  StatefulRedisConnection<String, String> control() {
    return control;
  }

  /** Whether Redis's answer came back on both links. */
  @Override
  public boolean up() {
    StatefulRedisPubSubConnection<String, ByteBuf> s = subscriber;
    return !closed && s != null && s.isOpen();
  }

  private boolean bothUp() {
    return up() && publisher.isOpen();
  }

  private synchronized void linkChanged() {
    boolean now = bothUp();
    if (now != stats.linkUp) {
      stats.linkUp = now;
      if (now) {
        long down = stats.downSinceMillis;
        stats.downSinceMillis = 0;
        log.info(
            "cluster: Redis link up ({}){}",
            options.redacted(),
            down == 0 ? "" : " after " + (System.currentTimeMillis() - down) + " ms down");
      } else if (!closed) {
        stats.downSinceMillis = System.currentTimeMillis();
        stats.outages.increment();
        log.warn(
            "cluster: Redis link down ({}): serving local traffic only; packets to other nodes"
                + " are not sent until it is back",
            options.redacted());
      }
    }
  }

  // ---- subscribing

  private void connectSubscriber() {
    if (closed) {
      return;
    }
    subscribeClient
        .connectPubSubAsync(codec, uri)
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                log.debug("cluster: subscribe link to {} failed: {}", options.redacted(), error);
                loop.execute(this::retrySubscriber);
                return;
              }
              if (closed) {
                connection.closeAsync();
                return;
              }
              connection.addListener(new Listener());
              connection.addListener(
                  new RedisConnectionStateListener() {
                    @Override
                    public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                      subscriberLost(connection);
                    }
                  });
              loop.execute(
                  () -> {
                    retryMillis = FIRST_RETRY_MILLIS;
                    subscriber = connection;
                    if (!connection.isOpen()) { // lost before the listener was in place
                      subscriberLost(connection);
                      return;
                    }
                    linkChanged();
                    // one channel per SUBSCRIBE: Lettuce completes a command at its first
                    // confirmation, so a second one could complete the next command early
                    connection.async().subscribe(wakeChannel);
                    connection
                        .async()
                        .subscribe(controlChannel)
                        .whenComplete((v, e) -> firstSubscription.complete(null));
                    interest.linkUp();
                    sessions.wakeAll(); // wakes sent while the link was down are lost
                  });
            });
  }

  private void subscriberLost(StatefulRedisPubSubConnection<String, ByteBuf> lost) {
    loop.execute(
        () -> {
          if (subscriber != lost) {
            return; // an older one, already replaced
          }
          subscriber = null;
          if (lost.isOpen()) { // else Lettuce closed it already (no auto-reconnect on this one)
            lost.closeAsync();
          }
          linkChanged();
          interest.linkDown();
          retrySubscriber();
        });
  }

  private void retrySubscriber() {
    if (closed) {
      return;
    }
    long delay = retryMillis;
    retryMillis = Math.min(LAST_RETRY_MILLIS, retryMillis * 2);
    loop.schedule(this::connectSubscriber, delay, TimeUnit.MILLISECONDS);
  }

  @Override
  public void subscribe(String skill) {
    StatefulRedisPubSubConnection<String, ByteBuf> s = subscriber;
    if (s == null) {
      interest.failed(skill);
      return;
    }
    String glob = SkillName.isPattern(skill) ? glob(skill) : null;
    if (glob != null) {
      patterns.computeIfAbsent(glob, k -> ConcurrentHashMap.newKeySet()).add(skill);
    }
    try {
      (glob != null ? s.async().psubscribe(glob) : s.async().subscribe(channelPrefix + skill))
          .whenComplete(
              (v, e) -> {
                if (e != null) {
                  log.debug("cluster: SUBSCRIBE {} failed: {}", skill, e.toString());
                  interest.failed(skill);
                }
              });
    } catch (RuntimeException e) { // the link went just now
      interest.failed(skill);
    }
  }

  @Override
  public void unsubscribe(String skill) {
    StatefulRedisPubSubConnection<String, ByteBuf> s = subscriber;
    if (s == null) {
      return; // a new link subscribes only to what is wanted
    }
    try {
      if (SkillName.isPattern(skill)) {
        String glob = glob(skill);
        Set<String> users = patterns.get(glob);
        if (users != null) {
          users.remove(skill);
          if (!users.isEmpty()) {
            return; // another registration still needs this glob
          }
          patterns.remove(glob);
        }
        s.async().punsubscribe(glob);
      } else {
        s.async().unsubscribe(channelPrefix + skill);
      }
    } catch (RuntimeException e) {
      log.debug("cluster: UNSUBSCRIBE {} not sent: {}", skill, e.toString());
    }
  }

  /**
   * Wildcard registrations by their Redis glob: several map to one ({@code w.*} and {@code w.>} are
   * both {@code w.*}), which stays subscribed while any of them is wanted. Touched on the interest
   * loop (subscribe, unsubscribe) and read on the subscription's thread (confirmations).
   */
  private final ConcurrentHashMap<String, Set<String>> patterns = new ConcurrentHashMap<>();

  /**
   * The Redis glob of a wildcard registration: {@code *} and {@code >} tokens become {@code *}, and
   * glob characters in literal tokens are escaped. Redis's {@code *} crosses dots, so the glob may
   * match more names than the registration; the local router delivers only what matches.
   */
  private String glob(String pattern) {
    StringBuilder g = new StringBuilder(channelPrefix.length() + pattern.length() + 4);
    for (char c : channelPrefix.toCharArray()) {
      escape(c, g);
    }
    String[] tokens = pattern.split("\\.", -1);
    for (int i = 0; i < tokens.length; i++) {
      if (i > 0) {
        g.append('.');
      }
      String t = tokens[i];
      if (t.equals("*") || t.equals(">")) {
        g.append('*');
      } else {
        for (char c : t.toCharArray()) {
          escape(c, g);
        }
      }
    }
    return g.toString();
  }

  private static void escape(char c, StringBuilder g) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
      g.append('\\');
    }
    g.append(c);
  }

  /** Redis's words on the subscription link, on its thread. */
  private final class Listener extends RedisPubSubAdapter<String, ByteBuf> {

    @Override
    public void message(String channel, ByteBuf frame) {
      try {
        if (channel.equals(wakeChannel)) {
          sessions.wake(frame.toString(StandardCharsets.UTF_8));
        } else if (channel.equals(controlChannel)) {
          sessions.takenOver(frame.toString(StandardCharsets.UTF_8));
        } else {
          received(channel, frame);
        }
      } finally {
        frame.release();
      }
    }

    @Override
    public void message(String pattern, String channel, ByteBuf frame) {
      try {
        received(channel, frame); // a packet also matched by an exact subscription: Gaps drops it
      } finally {
        frame.release();
      }
    }

    @Override
    public void psubscribed(String pattern, long count) {
      Set<String> skills = patterns.get(pattern);
      if (skills != null) {
        skills.forEach(interest::subscribed);
      }
    }

    @Override
    public void punsubscribed(String pattern, long count) {
      gaps.forgetAll(); // which names it matched is not known: start every count afresh
    }

    @Override
    public void subscribed(String channel, long count) {
      if (channel.startsWith(channelPrefix)) {
        interest.subscribed(channel.substring(channelPrefix.length()));
      }
    }

    @Override
    public void unsubscribed(String channel, long count) {
      if (channel.startsWith(channelPrefix)) {
        gaps.forget(channel.substring(channelPrefix.length()));
      }
    }
  }

  private void received(String channel, ByteBuf frame) {
    if (!channel.startsWith(channelPrefix)) {
      return;
    }
    Envelope.Decoded d;
    try {
      d = Envelope.decode(frame);
    } catch (IllegalArgumentException e) {
      stats.malformed.increment();
      log.debug("cluster: not an envelope on {}: {}", channel, e.getMessage());
      return;
    }
    if (d.node().equals(options.node())) {
      return; // our own, already delivered here
    }
    String skill = channel.substring(channelPrefix.length());
    switch (gaps.observe(skill, d.node(), d.epoch(), d.sequence())) {
      case DUPLICATE -> {
        stats.duplicates.increment();
        return;
      }
      case GAP -> {
        long missed = gaps.missed();
        stats.gaps.increment();
        stats.gapPackets.add(missed);
        inbound.gap(skill, d.node(), missed);
      }
      case IN_ORDER -> {}
    }
    stats.received.increment();
    inbound.deliver(skill, d);
  }

  // ---- publishing

  /**
   * Sends {@code message} to the other nodes. Never blocks and never queues without bound: with the
   * link down, or too many bytes or commands outstanding, the packet is not sent (counted; a
   * confirm, if asked for, fails saying so).
   */
  void publish(Message message) {
    Receipt receipt = message.receipt();
    byte[] id = Envelope.idBytes(message.idJson());
    int bytes = message.size() + 64 + (id == null ? 0 : id.length);
    if (!publisher.isOpen() || stats.pendingBytes.addAndGet(bytes) > options.maxPendingBytes()) {
      boolean down = !publisher.isOpen();
      if (!down) {
        stats.pendingBytes.addAndGet(-bytes);
      }
      Sequences.Counter c = sequences.counter(message.skill());
      synchronized (c) {
        c.next(); // numbered: the others see the gap
      }
      tellRemoteCount(message, null);
      notSent(
          receipt,
          down
              ? "not sent to other nodes: the cluster link is down"
              : "not sent to other nodes: the cluster link is backed up");
      return;
    }
    if (receipt != null) {
      receipt.expect();
    }
    Batch b = batches.get();
    b.add(new Entry(message.retain(), id, bytes));
    if (b.size() >= MAX_BATCH_PACKETS || b.bytes >= MAX_BATCH_BYTES) {
      flush(b); // full: now
      return;
    }
    if (b.size() == 1) {
      EventExecutor here = ThreadExecutorMap.currentExecutor();
      if (here == null) {
        flush(b); // not on an event loop: nothing would flush it later
      } else {
        here.execute(() -> flush(b)); // after this loop's read batch: one script for them all
      }
    }
  }

  /** Packets at most in one script call. */
  static final int MAX_BATCH_PACKETS = 256;

  /** Bytes at most in one script call. */
  static final int MAX_BATCH_BYTES = 1 << 20;

  /** One packet waiting in a batch: the message is held until Redis answered. */
  private record Entry(Message message, byte[] id, int bytes) {}

  /** The packets one event loop published since its last flush. Confined to that thread. */
  private static final class Batch {
    final java.util.ArrayList<Entry> entries = new java.util.ArrayList<>();
    int bytes;

    void add(Entry e) {
      entries.add(e);
      bytes += e.bytes();
    }

    int size() {
      return entries.size();
    }

    List<Entry> take() {
      List<Entry> all = new java.util.ArrayList<>(entries);
      entries.clear();
      bytes = 0;
      return all;
    }
  }

  private final ThreadLocal<Batch> batches = ThreadLocal.withInitial(Batch::new);

  /**
   * Hands what {@code b} holds to the link's home loop, which numbers and sends every batch: one
   * thread, so a skill's numbers reach Redis in the order given whichever event loop published them
   * (Netty writes at once from the channel's own loop, but queues a write from any other, so two
   * threads writing could overtake each other).
   */
  private void flush(Batch b) {
    List<Entry> entries = b.take();
    if (entries.isEmpty()) {
      return;
    }
    if (loop.inEventLoop()) {
      send(entries);
      return;
    }
    try {
      loop.execute(() -> send(entries));
    } catch (java.util.concurrent.RejectedExecutionException stopping) {
      settle(entries, new ByteBuf[2], null, stopping);
    }
  }

  /**
   * Sends {@code entries} as one call of the fanout script (see {@link #FANOUT}): per packet a
   * PUBLISH to the other nodes and an XADD to every durable receiver's stream. On the home loop.
   */
  private void send(List<Entry> entries) {
    ByteBuf[] args = new ByteBuf[2 + 2 * entries.size()];
    args[0] = keyPrefix;
    args[1] = maxQueue;
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      Message m = e.message();
      Sequences.Counter counter = sequences.counter(m.skill());
      CompositeByteBuf frame = alloc.compositeBuffer(2);
      long sequence;
      synchronized (counter) {
        sequence = counter.next();
      }
      frame.addComponent(
          true, Envelope.header(alloc, nodeBytes, counter.epoch, sequence, m.origin(), e.id()));
      frame.addComponent(true, m.content().retainedDuplicate());
      args[2 + 2 * i] = Unpooled.copiedBuffer(m.skill(), StandardCharsets.UTF_8);
      args[3 + 2 * i] = frame;
    }
    CompletableFuture<List<Object>> sent;
    try {
      sent = fanout(args);
    } catch (RuntimeException e) { // the link went just now
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((reply, error) -> settle(entries, args, reply, error));
  }

  private void settle(List<Entry> entries, ByteBuf[] args, List<Object> reply, Throwable error) {
    for (int i = 2; i < args.length; i++) {
      args[i].release();
    }
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      Message m = e.message();
      Receipt receipt = m.receipt();
      stats.pendingBytes.addAndGet(-e.bytes());
      List<Object> pair =
          error == null && reply != null && reply.size() >= 2 * i + 2
              ? reply.subList(2 * i, 2 * i + 2)
              : null;
      tellRemoteCount(m, pair);
      if (error == null) {
        stats.published.increment();
        if (receipt != null) {
          receipt.done();
        }
      } else {
        stats.publishFailed.increment();
        if (receipt != null) {
          receipt.fail("not sent to other nodes: " + error.getMessage());
        }
      }
      m.release();
    }
  }

  /**
   * For each packet of a batch ({@code ARGV}: key prefix, stream bound, then skill and envelope per
   * packet): publishes it to the other nodes and appends it to the queue of every durable session
   * registered for its skill anywhere (see {@link RedisSessions}), waking the node that holds each;
   * one script, so a confirm covers both. Returns, per packet, the PUBLISH count and the number of
   * durable queues it went to.
   */
  static final String FANOUT =
      "local function matches(pat, name)\n"
          + "  local nt = {}\n"
          + "  for t in string.gmatch(name, '[^.]+') do nt[#nt + 1] = t end\n"
          + "  local i = 0\n"
          + "  for p in string.gmatch(pat, '[^.]+') do\n"
          + "    i = i + 1\n"
          + "    if p == '>' then return #nt >= i end\n"
          + "    if i > #nt or (p ~= '*' and p ~= nt[i]) then return false end\n"
          + "  end\n"
          + "  return i == #nt\n"
          + "end\n"
          + "local prefix, maxlen = ARGV[1], ARGV[2]\n"
          + "local durp = prefix .. 'durp'\n"
          + "local patterns = nil\n"
          + "local out = {}\n"
          + "for k = 3, #ARGV, 2 do\n"
          + "  local skill, env = ARGV[k], ARGV[k + 1]\n"
          + "  local published = redis.call('PUBLISH', prefix .. 's:' .. skill, env)\n"
          + "  local stored, seen = 0, {}\n"
          + "  local function store(name, set, member)\n"
          + "    if seen[name] then return end\n"
          + "    seen[name] = true\n"
          + "    local sess = prefix .. 'sess:' .. name\n"
          + "    local node = redis.call('HGET', sess, 'node')\n"
          + "    if not node then\n"
          + "      redis.call('SREM', set, member)\n"
          + "      return\n"
          + "    end\n"
          + "    local q = prefix .. 'q:' .. name\n"
          + "    redis.call('XADD', q, 'MAXLEN', '~', maxlen, '*', 's', skill, 'm', env)\n"
          + "    stored = stored + 1\n"
          + "    if node == '' then\n"
          + "      local ttl = redis.call('PTTL', sess)\n"
          + "      if ttl > 0 then redis.call('PEXPIRE', q, ttl) end\n"
          + "    else\n"
          + "      redis.call('PUBLISH', prefix .. 'wake:' .. node, name)\n"
          + "    end\n"
          + "  end\n"
          + "  local dur = prefix .. 'dur:' .. skill\n"
          + "  for _, name in ipairs(redis.call('SMEMBERS', dur)) do store(name, dur, name) end\n"
          + "  if string.sub(skill, 1, 7) ~= '_inbox.' then\n"
          + "    if patterns == nil then patterns = redis.call('SMEMBERS', durp) end\n"
          + "    for _, entry in ipairs(patterns) do\n"
          + "      local cut = string.find(entry, '\\n', 1, true)\n"
          + "      if cut and matches(string.sub(entry, 1, cut - 1), skill) then\n"
          + "        store(string.sub(entry, cut + 1), durp, entry)\n"
          + "      end\n"
          + "    end\n"
          + "  end\n"
          + "  out[#out + 1] = published\n"
          + "  out[#out + 1] = stored\n"
          + "end\n"
          + "return out";

  private CompletableFuture<List<Object>> fanout(ByteBuf[] args) {
    String[] keys = {};
    String sha = fanoutSha;
    CompletableFuture<List<Object>> done = new CompletableFuture<>();
    if (sha == null) {
      evalFanout(keys, args, done);
      return done;
    }
    publisher
        .async()
        .<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args)
        .whenComplete(
            (n, e) -> {
              if (e != null && String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
                evalFanout(keys, args, done); // Redis restarted empty: send the script itself
              } else if (e != null) {
                done.completeExceptionally(e);
              } else {
                done.complete(n);
              }
            });
    return done;
  }

  private void evalFanout(String[] keys, ByteBuf[] args, CompletableFuture<List<Object>> done) {
    publisher
        .async()
        .<List<Object>>eval(FANOUT, ScriptOutputType.MULTI, keys, args)
        .whenComplete(
            (n, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
              } else {
                done.complete(n);
              }
            });
  }

  /** Tells a request's publisher how many nodes and durable queues took it (-1: not known). */
  private static void tellRemoteCount(Message message, List<Object> reply) {
    java.util.function.IntConsumer c = message.remoteCount();
    if (c == null) {
      return;
    }
    long n = -1;
    if (reply != null && reply.size() == 2) {
      n = ((Number) reply.get(0)).longValue() + ((Number) reply.get(1)).longValue();
    }
    c.accept((int) Math.min(Integer.MAX_VALUE, n));
  }

  private void notSent(Receipt receipt, String why) {
    stats.publishFailed.increment();
    if (receipt != null) {
      receipt.expect();
      receipt.fail(why);
    }
  }

  /** Skills with a numbering counter (for tests and stats). */
  int counters() {
    return sequences.size();
  }

  void close() {
    closed = true;
    StatefulRedisPubSubConnection<String, ByteBuf> s = subscriber;
    if (s != null) {
      s.close();
    }
    publisher.close();
    control.close();
    shutdownClients();
  }

  private void shutdownClients() {
    publishClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    subscribeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
