package io.qmsgbus.it;

import io.qmsgbus.config.ServerConfig;
import io.qmsgbus.transport.BusServer;

/** A server on a data dir in a process of its own, for the crash test to kill -9. */
public final class DurableServerMain {

  private DurableServerMain() {}

  /** Args: data dir, fsync policy. Prints "PORT n" once listening, then waits to be killed. */
  public static void main(String[] args) throws InterruptedException {
    BusServer server =
        BusServer.start(
            ServerConfig.defaults().withPort(0).withDataDir(args[0]).with("fsync", args[1]));
    System.out.println("PORT " + server.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
