package io.qmsgbus.bench;

import java.net.URI;

/**
 * One run's settings, already resolved against the scenario's defaults.
 *
 * @param url where publishers (and JetStream setup) connect
 * @param receiverUrl where receivers and idle connections connect: {@code url} unless {@code
 *     --receiver-url} names another server (another node of a cluster)
 * @param rate packets per second offered by all publishers together; 0 = as fast as the window
 *     allows
 * @param window copies in flight per receiver (published x fan-out, not yet delivered)
 * @param burst most packets written per flush
 * @param serverPid the server process, for CPU and memory; 0 = unknown
 * @param fastpush durable: receivers in fast-push (NATS: consumers without acks)
 * @param storage durable against NATS: the stream's storage, file or memory
 */
record BenchSettings(
    Scenario scenario,
    Target target,
    URI url,
    URI receiverUrl,
    double durationSeconds,
    double warmupSeconds,
    int size,
    int publishers,
    int receivers,
    int skills,
    int conns,
    double rate,
    int window,
    int burst,
    int threads,
    long serverPid,
    boolean fastpush,
    String storage) {}
