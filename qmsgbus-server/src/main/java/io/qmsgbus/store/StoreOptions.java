package io.qmsgbus.store;

import java.nio.file.Path;

/** Where and how a {@link SegmentLogStore} keeps its files. */
public record StoreOptions(
    Path dir, FsyncPolicy fsync, long fsyncIntervalMillis, long segmentBytes) {}
