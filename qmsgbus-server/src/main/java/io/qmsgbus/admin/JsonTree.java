package io.qmsgbus.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader of the admin API's JSON documents (for {@code qmsgbus stats} and the admin tests):
 * a whole document as maps (in document order), lists, strings, numbers, booleans and nulls, with
 * lenient accessors. {@link AdminJson} writes what this reads. (The client library's reader only
 * reads flat objects, and is internal to it.)
 */
public final class JsonTree {

  private static final JsonFactory JSON = new JsonFactory();

  private JsonTree() {}

  /**
   * Parses one JSON document.
   *
   * @throws IOException if {@code text} is not well-formed JSON, or has anything after the value
   */
  public static Object parse(String text) throws IOException {
    try (JsonParser p = JSON.createParser(text)) {
      p.nextToken();
      Object v = value(p);
      if (p.nextToken() != null) {
        throw new IOException("unexpected " + p.currentToken() + " after the document");
      }
      return v;
    }
  }

  /** {@code o} as an object, or an empty map if it is not one. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> object(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** {@code o} as an array, or an empty list if it is not one. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** {@code o} as a number, or 0 if it is not one. */
  public static double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : 0;
  }

  private static Object value(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("empty document");
    }
    switch (t) {
      case START_OBJECT:
        Map<String, Object> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          p.nextToken();
          m.put(name, value(p));
        }
        return m;
      case START_ARRAY:
        List<Object> l = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          l.add(value(p));
        }
        return l;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return p.getNumberValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new IOException("unexpected " + t);
    }
  }
}
