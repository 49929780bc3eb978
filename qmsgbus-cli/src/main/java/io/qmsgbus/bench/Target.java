package io.qmsgbus.bench;

import java.util.Locale;

/** What the bench talks to. */
enum Target {
  QMSGBUS("qmsgbus"),
  NATS_WS("nats-ws");

  private final String label;

  Target(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }

  static Target parse(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    for (Target v : values()) {
      if (v.label.equals(t) || v.name().toLowerCase(Locale.ROOT).equals(t)) {
        return v;
      }
    }
    if (t.equals("nats")) {
      return NATS_WS;
    }
    throw new IllegalArgumentException("--target must be qmsgbus or nats-ws, was '" + s + "'");
  }
}
