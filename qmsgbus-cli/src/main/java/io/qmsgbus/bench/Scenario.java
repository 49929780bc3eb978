package io.qmsgbus.bench;

import java.util.Locale;

/** The bench's scenarios (issue 4). */
enum Scenario {
  /** 1 publisher, N receivers on one skill, fast-push. */
  FANOUT,
  /** P publishers, R receivers over K skills, fast-push. */
  PUBSUB,
  /** Receivers in the default mode (window of one), acking each packet; one packet in flight. */
  ACK,
  /**
   * 1 publisher with confirms (at most a window of unconfirmed packets), R receivers each on a
   * named session in ACK mode (or fast-push); NATS: JetStream, a stream and durable push consumers.
   */
  DURABLE,
  /** C idle registered connections: server memory per connection, and a probe's latency. */
  CONNS,
  /**
   * R connections each registering a fresh skill, waiting for the ok, deregistering it, waiting for
   * the ok, and so on: registers per second and the register round trip (QMsgBus only).
   */
  CHURN;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
