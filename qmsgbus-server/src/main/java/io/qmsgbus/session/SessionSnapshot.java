package io.qmsgbus.session;

import java.util.List;

/**
 * One client's state at one moment, taken on its event loop so the figures agree with each other.
 *
 * @param lastAckAgeMillis time since the last ack, or -1 if it has never acked
 */
public record SessionSnapshot(
    long id,
    String remoteAddress,
    long connectedAtMillis,
    List<String> skills,
    boolean buffering,
    boolean fastpush,
    boolean inFlight,
    int queued,
    long queuedBytes,
    long sent,
    long acked,
    long dropped,
    long lastAckAgeMillis) {}
