package io.qmsgbus.config;

import java.util.List;
import java.util.Locale;

/**
 * One server setting: its config-file key, what kind of value it takes, its default, its bounds and
 * what it means. {@link Settings#ALL} is the one table of them; parsing, validation, the CLI's help
 * and the README's table are all read from it.
 *
 * @param key the config-file key, also the name of its {@link ServerConfig} component
 * @param kind the kind of value
 * @param defaultValue the default, as it would be written in a config file
 * @param min smallest number allowed (numbers only)
 * @param max largest number allowed (numbers only)
 * @param choices the words allowed ({@link Kind#CHOICE} only)
 * @param doc what it does, in Markdown (backticks for code); one line
 */
public record Setting(
    String key,
    Kind kind,
    String defaultValue,
    long min,
    long max,
    List<String> choices,
    String doc) {

  /** The kinds of value a setting takes. */
  public enum Kind {
    INT,
    LONG,
    BOOL,
    TEXT,
    CHOICE
  }

  public Setting {
    choices = List.copyOf(choices);
  }

  static Setting integer(String key, int def, long min, long max, String doc) {
    return new Setting(key, Kind.INT, Integer.toString(def), min, max, List.of(), doc);
  }

  static Setting longValue(String key, long def, long min, long max, String doc) {
    return new Setting(key, Kind.LONG, Long.toString(def), min, max, List.of(), doc);
  }

  static Setting bool(String key, boolean def, String doc) {
    return new Setting(key, Kind.BOOL, Boolean.toString(def), 0, 0, List.of(), doc);
  }

  static Setting text(String key, String def, String doc) {
    return new Setting(key, Kind.TEXT, def, 0, 0, List.of(), doc);
  }

  static Setting choice(String key, String def, List<String> choices, String doc) {
    return new Setting(key, Kind.CHOICE, def, 0, 0, choices, doc);
  }

  /**
   * Reads a value written as text, checking its kind and bounds; the message of the exception names
   * the setting and what it accepts.
   */
  public Object parse(String text) {
    String t = text == null ? "" : text.trim();
    return switch (kind) {
      case INT -> (int) number(t);
      case LONG -> number(t);
      case BOOL -> {
        if (t.equalsIgnoreCase("true")) {
          yield true;
        }
        if (t.equalsIgnoreCase("false")) {
          yield false;
        }
        throw new IllegalArgumentException("setting '" + key + "': not true or false: '" + t + "'");
      }
      case TEXT -> t;
      case CHOICE -> {
        String c = t.toLowerCase(Locale.ROOT).replace('_', '-');
        if (!choices.contains(c)) {
          throw new IllegalArgumentException(
              "setting '" + key + "' must be " + alternatives() + ", was '" + t + "'");
        }
        yield c;
      }
    };
  }

  private long number(String t) {
    long v;
    try {
      v = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("setting '" + key + "': not a number: '" + t + "'", e);
    }
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          "setting '" + key + "' must be between " + min + " and " + max + ", was " + v);
    }
    return v;
  }

  /** The default as written, with its unit where it helps: {@code 67108864 (64 MiB)}. */
  public String defaultShown() {
    if (kind == Kind.TEXT && defaultValue.isEmpty()) {
      return "empty";
    }
    return defaultValue + gloss();
  }

  /** {@code " (64 MiB)"} for a size in bytes that is a whole number of units; else empty. */
  public String gloss() {
    if ((kind == Kind.INT || kind == Kind.LONG) && key.endsWith("Bytes")) {
      long v = Long.parseLong(defaultValue);
      String[] units = {"GiB", "MiB", "KiB"};
      int[] shifts = {30, 20, 10};
      for (int i = 0; i < units.length; i++) {
        if (v >= (1L << shifts[i]) && v % (1L << shifts[i]) == 0) {
          return " (" + (v >> shifts[i]) + " " + units[i] + ")";
        }
      }
    }
    return "";
  }

  private String alternatives() {
    if (choices.size() == 1) {
      return choices.get(0);
    }
    return String.join(", ", choices.subList(0, choices.size() - 1))
        + " or "
        + choices.get(choices.size() - 1);
  }
}
