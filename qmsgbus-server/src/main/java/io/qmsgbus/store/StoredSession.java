package io.qmsgbus.store;

import java.util.List;

public record StoredSession(
    String name,
    String owner,
    List<String> skills,
    boolean buffering,
    boolean fastpush,
    boolean notices,
    long expirySeconds,
    long detachedAtMillis) {}
