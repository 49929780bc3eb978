package io.qmsgbus.bench;

import java.net.URI;

/**
 * One run's settings, already resolved against the scenario's defaults.
 *
 * @param rate packets per second offered by all publishers together; 0 = as fast as the window
 *     allows
 * @param window copies in flight per receiver (published x fan-out, not yet delivered)
 * @param burst most packets written per flush
 * @param serverPid the server process, for CPU and memory; 0 = unknown
 */
record BenchSettings(
    Scenario scenario,
    Target target,
    URI url,
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
    long serverPid) {}
