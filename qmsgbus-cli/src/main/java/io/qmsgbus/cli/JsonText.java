package io.qmsgbus.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;

/** What req and reply need of JSON text: is it one value, quote text, unquote a string. */
final class JsonText {

  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonText() {}

  /** Whether {@code s} is exactly one well-formed JSON value (whitespace around allowed). */
  static boolean isValue(String s) {
    try (JsonParser p = FACTORY.createParser(s)) {
      if (p.nextToken() == null) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code s} as it is if it is JSON, else as a JSON string (the rule of pub's PAYLOAD). */
  static String jsonOrString(String s) {
    return isValue(s) ? s.strip() : quote(s);
  }

  /** {@code s} as a JSON string literal, quotes included. */
  static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }

  /** The text of a JSON string literal, or {@code json} itself if it is some other value. */
  static String unquoted(String json) {
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() == JsonToken.VALUE_STRING) {
        String text = p.getText();
        if (p.nextToken() == null) {
          return text;
        }
      }
    } catch (IOException e) {
      // not JSON: as it is
    }
    return json;
  }
}
