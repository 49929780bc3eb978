package io.qmsgbus.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and resident memory of a process, from Linux's /proc. */
final class ProcStat {

  /** USER_HZ: the unit of utime/stime in /proc/PID/stat; 100 on every Linux architecture we run. */
  static final double TICKS_PER_SECOND = 100.0;

  private ProcStat() {}

  /** utime + stime of {@code pid} in seconds ("self" for this process), or -1 if unreadable. */
  static double cpuSeconds(String pid) {
    try {
      String stat = Files.readString(Path.of("/proc", pid, "stat"), StandardCharsets.US_ASCII);
      // the command name (field 2) may hold spaces and parentheses: fields count from the last ')'
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
      // f[0] is field 3 (state); utime is field 14, stime field 15
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return ticks / TICKS_PER_SECOND;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** VmRSS of {@code pid} in KB, or -1 if unreadable. */
  static long rssKb(String pid) {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", pid, "status"), StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).replace("kB", "").trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return -1;
  }

  /**
   * Time the process's threads spent runnable but waiting for a CPU (the second field of each
   * /proc/PID/task/TID/schedstat), in seconds summed over threads, or -1 if unreadable. Large
   * values mean other load on the same cores, which makes the run's figures unreliable.
   */
  static double runQueueWaitSeconds(String pid) {
    try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", pid, "task"))) {
      long ns = 0;
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String[] f =
              Files.readString(task.resolve("schedstat"), StandardCharsets.US_ASCII)
                  .trim()
                  .split(" +");
          ns += Long.parseLong(f[1]);
        } catch (IOException | RuntimeException threadGone) {
          // a thread that ended meanwhile
        }
      }
      return ns / 1e9;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static boolean exists(long pid) {
    return Files.isReadable(Path.of("/proc", Long.toString(pid), "stat"));
  }
}
