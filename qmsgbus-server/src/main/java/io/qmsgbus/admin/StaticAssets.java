package io.qmsgbus.admin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

/** The console's files, read from the jar once at start and served from memory. */
final class StaticAssets {

  record Asset(String contentType, byte[] body) {}

  private static final String BASE = "/io/qmsgbus/admin/console/";

  private final Map<String, Asset> byPath = new HashMap<>();

  StaticAssets() {
    add("index.html", "text/html; charset=utf-8");
    add("console.js", "text/javascript; charset=utf-8");
    add("console.css", "text/css; charset=utf-8");
    add("favicon.svg", "image/svg+xml");
    byPath.put("/", byPath.get("/index.html"));
  }

  private void add(String file, String contentType) {
    try (InputStream in = StaticAssets.class.getResourceAsStream(BASE + file)) {
      if (in == null) {
        throw new IllegalStateException("console asset missing from the jar: " + BASE + file);
      }
      byPath.put("/" + file, new Asset(contentType, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The asset at a request path, or null. */
  Asset get(String path) {
    return byPath.get(path);
  }
}
