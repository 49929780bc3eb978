package io.qmsgbus.routing;

import io.qmsgbus.message.Message;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Skill to receivers. The one implementation today is in-process ({@link LocalRouter}); a backplane
 * shared by several nodes (Redis first) or wildcard and group routing implement the same small
 * interface.
 */
public interface Router {

  /** Adds {@code receiver} to {@code skill}; returns false if it was already there (idempotent). */
  boolean subscribe(String skill, Receiver receiver);

  /** Removes {@code receiver} from {@code skill}; returns false if it was not there. */
  boolean unsubscribe(String skill, Receiver receiver);

  /**
   * Offers {@code message} to every receiver of its skill, each with its own reference to the same
   * message (no copy). The caller keeps its own reference.
   *
   * @return how many receivers it was offered to
   */
  int publish(Message message);

  /** Whether {@code skill} has at least one receiver. */
  boolean hasReceivers(String skill);

  /** Distinct skills with at least one receiver. */
  int skillCount();

  /** Receivers per skill, for stats. */
  Map<String, Integer> receiverCounts();

  /**
   * Completes once interest in {@code skills} (just subscribed) is in force everywhere this router
   * shares it, so a register's reply can promise that packets published anywhere will arrive. At
   * once for an in-process router; a cluster router waits for its backplane's subscription.
   */
  default CompletionStage<Void> ready(Collection<String> skills) {
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Whether packets also go to other nodes (then how many receivers a packet has is known only once
   * they answered: see {@link io.qmsgbus.message.Message#remoteCount}).
   */
  default boolean sharedAcrossNodes() {
    return false;
  }
}
