package io.qmsgbus.cluster;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Lets Lettuce run its Redis connections on the bus's own event loops instead of a pool of its own:
 * on two cores, fewer threads means fewer context switches, and a packet from Redis is handed to a
 * receiver on the same kind of thread that serves clients. Lettuce asks for a group per channel
 * type; the bus's group serves the one its transport matches (checked by {@link Cluster}). Release
 * and shutdown do nothing: the bus owns the loops and stops them itself.
 */
final class SharedEventLoops implements EventLoopGroupProvider {

  private final EventLoopGroup loops;

  SharedEventLoops(EventLoopGroup loops) {
    this.loops = loops;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends EventLoopGroup> T allocate(Class<T> type) {
    return (T) loops;
  }

  @Override
  public int threadPoolSize() {
    return 0; // not Lettuce's to size
  }

  @Override
  public Future<Boolean> release(
      EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }

  @Override
  public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
  }
}
