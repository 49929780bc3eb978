package io.qmsgbus.admin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** A small HTTP client for the admin endpoints, and a JSON reader for their documents. */
final class AdminHttp {

  private final HttpClient http =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final String base;

  AdminHttp(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  HttpResponse<String> send(String method, String path) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GETs a JSON object, asserting 200 and the JSON content type on the way. */
  Map<String, Object> json(String path) {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new AssertionError(path + ": HTTP " + r.statusCode() + ": " + r.body());
    }
    if (!r.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
      throw new AssertionError(path + ": content-type " + r.headers().firstValue("content-type"));
    }
    return object(parse(r.body()));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object o) {
    if (!(o instanceof Map)) {
      throw new AssertionError("not a JSON object: " + o);
    }
    return (Map<String, Object>) o;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    if (!(o instanceof List)) {
      throw new AssertionError("not a JSON array: " + o);
    }
    return (List<Object>) o;
  }

  static long num(Object o) {
    if (!(o instanceof Number n)) {
      throw new AssertionError("not a number: " + o);
    }
    return n.longValue();
  }

  static double dbl(Object o) {
    if (!(o instanceof Number n)) {
      throw new AssertionError("not a number: " + o);
    }
    return n.doubleValue();
  }

  static Object parse(String text) {
    try {
      return JsonTree.parse(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }
}
