package io.qmsgbus.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.qmsgbus.skill.SkillName;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Tells data from control by the object's keys (PROTOCOL.md section 2). Every packet first goes
 * through the {@link JsonScanner}, one pass that validates it whole (strict JSON, valid UTF-8,
 * bounded depth) and finds its top-level {@code skill} and {@code id}: a data packet is forwarded
 * byte-exact, so it must read the same to every receiver's JSON library (hence also no duplicate
 * {@code skill} or {@code id}). Control packets are then read with Jackson's streaming parser, or
 * in the seed's Python-literal spelling. Thread-safe and stateless apart from its limits.
 */
public final class PacketClassifier {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
          .build();

  static final String KNOWN_KEYS =
      "skill, register, deregister, buffering, fastpush, ack, get (or the extensions notices,"
          + " confirms, session, inbox)";

  private final int maxSkillLength;
  private final int maxIdLength;
  private final int maxListLength;

  /**
   * @param maxSkillLength longest skill name, in characters
   * @param maxIdLength longest {@code id}, in characters of its JSON text
   * @param maxListLength most skill names one register or deregister may list
   */
  public PacketClassifier(int maxSkillLength, int maxIdLength, int maxListLength) {
    this.maxSkillLength = maxSkillLength;
    this.maxIdLength = maxIdLength;
    this.maxListLength = maxListLength;
  }

  /** The one control packet a receiver in the default mode sends for every packet it gets. */
  static final Packet.Control ACK = new Packet.Control(null, null, null, null, true, false, null);

  /** The spellings of a bare ACK that clients send: JSON, json.dumps, and the seed's literal. */
  private static final byte[][] ACK_SPELLINGS = {
    "{\"ack\":\"\"}".getBytes(StandardCharsets.US_ASCII),
    "{\"ack\": \"\"}".getBytes(StandardCharsets.US_ASCII),
    "{'ack':''}".getBytes(StandardCharsets.US_ASCII),
    "{'ack': ''}".getBytes(StandardCharsets.US_ASCII),
  };

  /** Classifies {@code length} bytes of {@code bytes} from {@code offset}. Never throws. */
  public Packet classify(byte[] bytes, int offset, int length) {
    if (length <= 11 && isBareAck(bytes, offset, length)) {
      return ACK; // the default mode's most frequent packet: no parser needed
    }
    JsonScanner s = JsonScanner.scan(bytes, offset, length);
    if (s.error() != null) {
      return invalid(bytes, offset, length, s);
    }
    if (!s.isObject()) {
      return new Packet.BadInput("a packet must be a JSON object", null);
    }
    String idProblem = idProblem(s);
    if (idProblem != null) {
      return new Packet.BadInput(idProblem, null); // never echo a duplicate, long or odd id
    }
    String idJson = s.idJson();
    if (s.skillCount() > 0) {
      if (s.skillCount() > 1) {
        return new Packet.BadInput(
            "duplicate key \"skill\": a data packet must name its skill once", idJson);
      }
      if (!s.skillIsString()) {
        return new Packet.BadInput("skill must be a string", idJson);
      }
      String problem = SkillName.problem(s.skill(), maxSkillLength);
      if (problem != null) {
        return new Packet.BadInput(problem, idJson);
      }
      if (s.replyCount() > 0) {
        if (s.replyCount() > 1) {
          return new Packet.BadInput("duplicate key \"reply\": a request names one", idJson);
        }
        if (s.reply() == null) {
          return new Packet.BadInput("reply must be a string (a skill name)", idJson);
        }
        String replyProblem = SkillName.problem(s.reply(), maxSkillLength);
        if (replyProblem != null) {
          return new Packet.BadInput("reply: " + replyProblem, idJson);
        }
        return new Packet.Data(s.skill(), idJson, s.reply(), s.receipt());
      }
      return s.receipt()
          ? new Packet.Data(s.skill(), idJson, null, true)
          : new Packet.Data(s.skill(), idJson);
    }
    try (JsonParser p = JSON.createParser(bytes, offset, length)) {
      return read(p, false, idJson);
    } catch (IOException | RuntimeException e) {
      // valid JSON past one of Jackson's own limits (a number of over 1000 digits, say)
      return new Packet.BadInput("not valid JSON: " + firstLine(e.getMessage()), idJson);
    }
  }

  private String idProblem(JsonScanner s) {
    if (s.idCount() == 0) {
      return null;
    }
    if (s.idCount() > 1) {
      return "duplicate key \"id\": a packet must carry one id";
    }
    if (s.idType() == JsonScanner.OTHER) {
      return "id must be a string or a number";
    }
    // a character is at least one byte of UTF-8 and at most three per UTF-16 unit
    if (s.idBytes() > maxIdLength
        && (s.idBytes() > 3L * maxIdLength || s.idJson().length() > maxIdLength)) {
      return idTooLong();
    }
    return null;
  }

  private String idTooLong() {
    return "id longer than " + maxIdLength + " characters";
  }

  /** A packet the scanner refused: strict JSON is required of data, not of control packets. */
  private Packet invalid(byte[] bytes, int offset, int length, JsonScanner s) {
    if (!JsonScanner.isUtf8(bytes, offset, length)) {
      return new Packet.BadInput("not valid UTF-8", null);
    }
    if (s.depthExceeded()) {
      return new Packet.BadInput("not valid JSON: " + s.error(), null);
    }
    if (s.skillCount() > 0) {
      return new Packet.BadInput(
          "a data packet must be a single strict JSON object: " + s.error(), null);
    }
    Packet lenient = classifyLenient(new String(bytes, offset, length, StandardCharsets.UTF_8));
    if (lenient instanceof Packet.BadInput bad && bad.reason().startsWith(NOT_JSON)) {
      return new Packet.BadInput(NOT_JSON + s.error(), null); // the fault in what was sent
    }
    return lenient;
  }

  private static final String NOT_JSON = "not valid JSON: ";

  private static boolean isBareAck(byte[] bytes, int offset, int length) {
    for (byte[] spelling : ACK_SPELLINGS) {
      if (Arrays.equals(bytes, offset, offset + length, spelling, 0, spelling.length)) {
        return true;
      }
    }
    return false;
  }

  /** The seed's Python-literal spelling, allowed for control packets only. */
  private Packet classifyLenient(String text) {
    try (JsonParser p = JSON.createParser(PythonLiteral.toJson(text))) {
      return read(p, true, null);
    } catch (IOException | RuntimeException e) {
      return new Packet.BadInput(NOT_JSON + firstLine(e.getMessage()), null);
    }
  }

  private Packet read(JsonParser p, boolean lenient, String knownId) throws IOException {
    if (p.nextToken() != JsonToken.START_OBJECT) {
      return new Packet.BadInput("a packet must be a JSON object", null);
    }
    Fields f = new Fields();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if ("skill".equals(name)) {
        return dataPacket(p, value, lenient, f.idJson);
      }
      readField(p, name, value, f);
      if (f.abort) { // the id may come later: the scanner has read it already
        return new Packet.BadInput(f.error, f.idJson != null ? f.idJson : knownId);
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("unexpected " + t);
    }
    if (p.nextToken() != null) {
      return new Packet.BadInput("unexpected data after the JSON object", f.idJson);
    }
    if (f.error != null) {
      return new Packet.BadInput(f.error, f.idJson);
    }
    if (f.sessionOption && f.session == null) {
      return new Packet.BadInput("expiry and clean go with session", f.idJson);
    }
    if (f.group != null && f.register == null && f.deregister == null) {
      return new Packet.BadInput("group goes with register or deregister", f.idJson);
    }
    if (!f.known) {
      return new Packet.BadInput("no known key: a packet needs one of " + KNOWN_KEYS, f.idJson);
    }
    return new Packet.Control(
        f.register,
        f.deregister,
        f.buffering,
        f.fastpush,
        f.ack,
        f.get,
        f.idJson,
        f.notices,
        f.confirms,
        f.session == null ? null : new Packet.SessionRequest(f.session, f.expiry, f.clean),
        f.group,
        f.inbox);
  }

  private Packet dataPacket(JsonParser p, JsonToken value, boolean lenient, String idJson)
      throws IOException {
    if (value != JsonToken.VALUE_STRING) {
      return new Packet.BadInput("skill must be a string", idJson);
    }
    String skill = p.getText();
    String problem = checkSkill(skill);
    if (problem != null) {
      return new Packet.BadInput(problem, idJson);
    }
    if (lenient) {
      return new Packet.BadInput(
          "a data packet must be standard JSON (the Python-literal spelling is for control"
              + " packets only)",
          idJson);
    }
    return new Packet.Data(skill, idJson); // not reached: the scanner finds strict data first
  }

  private void readField(JsonParser p, String name, JsonToken value, Fields f) throws IOException {
    switch (name) {
      case "register" -> {
        f.known = true;
        f.register = skillList(p, value, name, f);
      }
      case "deregister" -> {
        f.known = true;
        f.deregister = skillList(p, value, name, f);
      }
      case "buffering" -> {
        f.known = true;
        f.buffering = bool(value, name, f);
      }
      case "fastpush" -> {
        f.known = true;
        f.fastpush = bool(value, name, f);
      }
      case "notices" -> {
        f.known = true;
        f.notices = bool(value, name, f);
      }
      case "confirms" -> {
        f.known = true;
        f.confirms = bool(value, name, f);
      }
      case "session" -> {
        f.known = true;
        if (value != JsonToken.VALUE_STRING) {
          f.fail("session must be a string");
          p.skipChildren();
        } else {
          String problem = SessionName.problem(p.getText());
          if (problem != null) {
            f.fail(problem);
          } else {
            f.session = p.getText();
          }
        }
      }
      case "inbox" -> {
        f.known = true;
        f.inbox = Boolean.TRUE.equals(bool(value, name, f));
      }
      case "group" -> {
        if (value != JsonToken.VALUE_STRING) {
          f.fail("group must be a string");
          p.skipChildren();
        } else {
          String problem = SkillName.problem(p.getText(), maxSkillLength);
          if (problem != null) {
            f.fail("group name: " + problem.replace("skill name", "it"));
          } else {
            f.group = p.getText();
          }
        }
      }
      case "expiry" -> {
        f.sessionOption = true;
        if (value != JsonToken.VALUE_NUMBER_INT
            || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            || p.getLongValue() < 0) {
          f.fail("expiry must be a whole number of seconds, 0 or more");
          p.skipChildren();
        } else {
          f.expiry = p.getLongValue();
        }
      }
      case "clean" -> {
        f.sessionOption = true;
        Boolean b = bool(value, name, f);
        f.clean = Boolean.TRUE.equals(b);
      }
      case "ack" -> {
        f.known = true;
        f.ack = true;
        p.skipChildren();
      }
      case "get" -> {
        f.known = true;
        f.get = true;
        p.skipChildren();
      }
      case "id" -> {
        String id = idJson(p, value);
        if (id == null) {
          f.fail("id must be a string or a number");
          p.skipChildren();
        } else if (f.idSeen) {
          f.abort("duplicate key \"id\": a packet must carry one id");
          f.idJson = null;
        } else if (id.length() > maxIdLength) {
          f.abort(idTooLong()); // and not echoed
        } else {
          f.idJson = id;
        }
        f.idSeen = true;
      }
      default -> p.skipChildren(); // unknown keys ride along: room for extensions
    }
  }

  /** An id value as JSON text: a string (re-quoted) or a number as written; null otherwise. */
  private static String idJson(JsonParser p, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_STRING -> quote(p.getText());
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
      default -> null;
    };
  }

  /**
   * The top-level {@code id} of a packet as JSON text (a string or number as sent), or null if it
   * has none or is not valid JSON. {@link Packet.Data#idJson} already carries it for a data packet.
   */
  public static String idOf(byte[] bytes, int offset, int length) {
    JsonScanner s = JsonScanner.scan(bytes, offset, length);
    return s.error() == null && s.isObject() && s.idCount() == 1 ? s.idJson() : null;
  }

  private List<String> skillList(JsonParser p, JsonToken value, String key, Fields f)
      throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      String skill = p.getText();
      String problem = checkRegistration(skill);
      if (problem != null) {
        f.fail(key + ": " + problem);
        return null;
      }
      return List.of(skill);
    }
    if (value != JsonToken.START_ARRAY) {
      f.fail(key + " must be a skill name or a list of skill names");
      p.skipChildren();
      return null;
    }
    Set<String> skills = new LinkedHashSet<>();
    int entries = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (++entries > maxListLength) {
        f.abort("too many skills in one packet: at most " + maxListLength); // read no further
        return null;
      }
      if (t != JsonToken.VALUE_STRING) {
        f.fail(key + " list must hold only skill names (strings)");
        p.skipChildren();
        continue;
      }
      String problem = checkRegistration(p.getText());
      if (problem != null) {
        f.fail(key + ": " + problem);
      } else {
        skills.add(p.getText());
      }
    }
    if (skills.isEmpty()) {
      f.fail(key + " list must not be empty");
      return null;
    }
    return List.copyOf(skills);
  }

  private static Boolean bool(JsonToken value, String key, Fields f) {
    return switch (value) {
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> {
        f.fail(key + " must be true or false");
        yield null;
      }
    };
  }

  private String checkSkill(String skill) {
    return SkillName.problem(skill, maxSkillLength);
  }

  /** A register or deregister names a skill or a pattern ({@code *} and {@code >} as tokens). */
  private String checkRegistration(String skill) {
    return SkillName.patternProblem(skill, maxSkillLength);
  }

  static String quote(String s) {
    return Replies.jsonString(s);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable input";
    }
    int nl = message.indexOf('\n');
    String line = nl < 0 ? message : message.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  /** What a control packet has said so far; the first error wins. */
  private static final class Fields {
    List<String> register;
    List<String> deregister;
    Boolean buffering;
    Boolean fastpush;
    Boolean notices;
    Boolean confirms;
    String session;
    String group;
    boolean inbox;
    Long expiry;
    boolean clean;
    boolean sessionOption;
    boolean ack;
    boolean get;
    boolean known;
    String idJson;
    boolean idSeen;
    String error;
    boolean abort;

    void fail(String reason) {
      if (error == null) {
        error = reason;
      }
    }

    /** An error that ends the reading at once, and wins over any before it. */
    void abort(String reason) {
      error = reason;
      abort = true;
    }
  }
}
