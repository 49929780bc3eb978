package io.qmsgbus.cluster;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;

/** A cluster node in a process of its own, for {@link ClusterKillIT} to kill -9. */
public final class ClusterNodeMain {

  private ClusterNodeMain() {}

  /**
   * Args: Redis URL, node name, port (0: any). Prints "PORT n" once listening, then waits to be
   * killed.
   */
  public static void main(String[] args) throws InterruptedException {
    BusServer server =
        BusServer.start(
            ServerConfig.defaults()
                .withPort(Integer.parseInt(args[2]))
                .withCluster(args[0], args[1]));
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
