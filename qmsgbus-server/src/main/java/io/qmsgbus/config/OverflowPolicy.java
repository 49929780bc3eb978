package io.qmsgbus.config;

import java.util.Arrays;
import java.util.Locale;

/** What a client's queue does when a new packet would exceed its bound. */
public enum OverflowPolicy {
  /** Drop the oldest queued packet to make room: the receiver sees the freshest data. */
  DROP_OLDEST("drop-oldest"),
  /** Drop the arriving packet: the receiver sees an unbroken prefix of the stream. */
  DROP_NEWEST("drop-newest"),
  /** Close the slow consumer (close code 1008) rather than lose packets silently. */
  DISCONNECT("disconnect");

  private final String label;

  OverflowPolicy(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  public static OverflowPolicy parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return Arrays.stream(values())
        .filter(p -> p.label.equals(t))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "overflowPolicy must be drop-oldest, drop-newest or disconnect, was '"
                        + text
                        + "'"));
  }
}
