package io.qmsgbus.session;

import java.util.List;

/**
 * One client's state at one moment, taken on its event loop so the figures agree with each other.
 *
 * @param lastAckAgeMillis time since the last ack, or -1 if it has never acked
 * @param name the durable session's name, or null
 * @param owner the identity a named session belongs to, or null
 * @param attached whether a connection is attached now
 * @param expiresInMillis for a detached named session, time left until it expires; else -1
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
    long lastAckAgeMillis,
    String name,
    String owner,
    boolean attached,
    long expiresInMillis) {}
