package io.qmsgbus.cluster;

import io.qmsgbus.message.Message;
import io.qmsgbus.routing.LocalRouter;
import io.qmsgbus.routing.Receiver;
import io.qmsgbus.routing.Router;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Routing across nodes: this node's receivers through the {@link LocalRouter} it wraps, every other
 * node's through Redis. A packet published here is delivered here first, then handed to Redis once,
 * whatever the number of nodes; one from Redis goes to the local receivers only (never back).
 * Subscribing tells {@link Interest}, which keeps the Redis subscriptions in line with the local
 * receivers.
 */
final class ClusterRouter implements Router {

  private final LocalRouter local;
  private final Interest interest;
  private final RedisLink link;

  ClusterRouter(LocalRouter local, Interest interest, RedisLink link) {
    this.local = local;
    this.interest = interest;
    this.link = link;
  }

  @Override
  public boolean subscribe(String skill, Receiver receiver) {
    boolean added = local.subscribe(skill, receiver);
    if (added) {
      interest.changed(skill);
    }
    return added;
  }

  @Override
  public boolean unsubscribe(String skill, Receiver receiver) {
    boolean removed = local.unsubscribe(skill, receiver);
    if (removed) {
      interest.changed(skill);
    }
    return removed;
  }

  @Override
  public int publish(Message message) {
    int here = local.publish(message);
    link.publish(message);
    return here;
  }

  /** A packet from another node: to this node's receivers only. */
  int deliverFromRemote(Message message) {
    return local.publish(message);
  }

  @Override
  public CompletionStage<Void> ready(Collection<String> skills) {
    return interest.ready(skills);
  }

  @Override
  public boolean sharedAcrossNodes() {
    return true;
  }

  @Override
  public boolean hasReceivers(String skill) {
    return local.hasReceivers(skill);
  }

  @Override
  public int skillCount() {
    return local.skillCount();
  }

  @Override
  public Map<String, Integer> receiverCounts() {
    return local.receiverCounts();
  }
}
