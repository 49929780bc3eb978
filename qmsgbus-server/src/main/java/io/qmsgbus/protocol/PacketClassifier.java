package io.qmsgbus.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Tells data from control by the object's keys (PROTOCOL.md section 2), with Jackson's streaming
 * parser: no tree is built, and a data packet is recognised as soon as its {@code skill} is read,
 * so the payload behind it is never parsed. Thread-safe and stateless apart from its limits.
 */
public final class PacketClassifier {

  private static final JsonFactory JSON =
      JsonFactory.builder()
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
          .build();

  static final String KNOWN_KEYS =
      "skill, register, deregister, buffering, fastpush, ack, get (or the extension notices)";

  private final int maxSkillLength;

  public PacketClassifier(int maxSkillLength) {
    this.maxSkillLength = maxSkillLength;
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
    try (JsonParser p = JSON.createParser(bytes, offset, length)) {
      return read(p, false);
    } catch (IOException | RuntimeException strictFailure) {
      return classifyLenient(new String(bytes, offset, length, StandardCharsets.UTF_8));
    }
  }

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
      return read(p, true);
    } catch (IOException | RuntimeException e) {
      return new Packet.BadInput("not valid JSON: " + firstLine(e.getMessage()), null);
    }
  }

  private Packet read(JsonParser p, boolean lenient) throws IOException {
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
    if (!f.known) {
      return new Packet.BadInput("no known key: a packet needs one of " + KNOWN_KEYS, f.idJson);
    }
    return new Packet.Control(
        f.register, f.deregister, f.buffering, f.fastpush, f.ack, f.get, f.idJson, f.notices);
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
    return new Packet.Data(skill);
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
        f.idJson = idJson(p, value);
        if (f.idJson == null) {
          f.fail("id must be a string or a number");
          p.skipChildren();
        }
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
   * The top-level {@code id} of a packet as JSON text, or null if it has none (or is unreadable).
   * For errors about a data packet: {@link #classify} stops reading a data packet at its skill, so
   * an id behind it is only found by reading the whole packet, which only a rare error warrants.
   */
  public static String idOf(byte[] bytes, int offset, int length) {
    try (JsonParser p = JSON.createParser(bytes, offset, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if ("id".equals(name)) {
          return idJson(p, value);
        }
        p.skipChildren();
      }
    } catch (IOException | RuntimeException unreadable) {
      return null;
    }
    return null;
  }

  private List<String> skillList(JsonParser p, JsonToken value, String key, Fields f)
      throws IOException {
    if (value == JsonToken.VALUE_STRING) {
      String skill = p.getText();
      String problem = checkSkill(skill);
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
    List<String> skills = new ArrayList<>();
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_STRING) {
        f.fail(key + " list must hold only skill names (strings)");
        p.skipChildren();
        continue;
      }
      String problem = checkSkill(p.getText());
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
    if (skill.isEmpty()) {
      return "skill name must not be empty";
    }
    if (skill.length() > maxSkillLength) {
      return "skill name longer than " + maxSkillLength + " characters";
    }
    return null;
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
    boolean ack;
    boolean get;
    boolean known;
    String idJson;
    String error;

    void fail(String reason) {
      if (error == null) {
        error = reason;
      }
    }
  }
}
