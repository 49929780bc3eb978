package io.qmsgbus.auth;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.io.IOException;

/** The error replies for refused publishes and registrations (rare paths: allocation is fine). */
public final class Denials {

  private static final JsonFactory JSON = new JsonFactory();

  private Denials() {}

  public static String publishReason(String skill) {
    return "not allowed to publish to '" + skill + "'";
  }

  public static String registerReason(String skill) {
    return "not allowed to register for '" + skill + "'";
  }

  /**
   * The top-level {@code id} of a data packet as JSON text ({@code 7}, {@code "a"}), or null: the
   * classifier stops reading at {@code skill}, so an id after it has to be looked up here.
   */
  public static String idJson(ByteBuf packet) {
    byte[] bytes = ByteBufUtil.getBytes(packet);
    try (JsonParser p = JSON.createParser(bytes)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if ("id".equals(name)) {
          return switch (v) {
            case VALUE_STRING ->
                "\""
                    + new String(JsonStringEncoder.getInstance().quoteAsString(p.getText()))
                    + "\"";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getText();
            default -> null;
          };
        }
        p.skipChildren();
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
