package io.qmsgbus.cluster;

import io.lettuce.core.RedisURI;
import io.qmsgbus.config.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/** The cluster part of the server's settings, resolved: the Redis address, this node's name. */
record ClusterOptions(
    RedisURI redisUri,
    String redacted,
    String caCert,
    String node,
    String prefix,
    long unsubscribeDelayMillis,
    long subscribeTimeoutMillis,
    long maxPendingBytes,
    int maxPendingCommands,
    int maxQueuePackets) {

  /**
   * @throws IllegalArgumentException for a URL Lettuce cannot read or an unreadable password file
   */
  static ClusterOptions from(ServerConfig config) {
    RedisURI uri;
    try {
      uri = RedisURI.create(config.cluster());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "cluster: not a Redis URL ('" + config.cluster() + "'): " + e.getMessage(), e);
    }
    if (!config.clusterPasswordFile().isEmpty()) {
      uri.setAuthentication(readPassword(Path.of(config.clusterPasswordFile())));
    }
    String node =
        config.nodeName().isEmpty()
            ? "node-" + UUID.randomUUID().toString().substring(0, 8)
            : config.nodeName();
    return new ClusterOptions(
        uri,
        redact(config.cluster()),
        config.clusterCaCert(),
        node,
        config.clusterPrefix(),
        config.clusterUnsubscribeDelayMillis(),
        config.clusterSubscribeTimeoutMillis(),
        config.clusterMaxPendingBytes(),
        config.clusterMaxPendingCommands(),
        config.maxQueuePackets());
  }

  /** The URL with any password blanked, for logs and the admin API. */
  static String redact(String url) {
    int scheme = url.indexOf("://");
    int at = url.lastIndexOf('@');
    if (scheme < 0 || at < scheme) {
      return url;
    }
    return url.substring(0, scheme + 3) + "***@" + url.substring(at + 1);
  }

  private static char[] readPassword(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isEmpty()) {
        throw new IllegalArgumentException("clusterPasswordFile " + file + " is empty");
      }
      return lines.get(0).toCharArray();
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "clusterPasswordFile: cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
