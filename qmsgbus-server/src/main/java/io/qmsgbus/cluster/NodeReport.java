package io.qmsgbus.cluster;

/**
 * What this node tells the others about itself, read once per heartbeat.
 *
 * @param url where its clients connect
 * @param clients live connections
 * @param skills distinct skills its clients registered
 * @param packetsIn data packets its clients published, since start
 * @param packetsOut packets it delivered to its clients, since start
 */
public record NodeReport(String url, int clients, int skills, long packetsIn, long packetsOut) {}
