package io.qmsgbus.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.qmsgbus.auth.HostPolicy;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link UpgradeRequestFilter} on an embedded channel (a listener bound to loopback, no {@code
 * allowedHosts}): one test per rule it enforces. Every request and response read is released.
 */
class UpgradeRequestFilterTest {

  private EmbeddedChannel ch;

  @BeforeEach
  void open() {
    ch = new EmbeddedChannel(new UpgradeRequestFilter(HostPolicy.of("", "127.0.0.1")));
  }

  @AfterEach
  void finish() {
    ch.finishAndReleaseAll();
  }

  /** A WebSocket upgrade request for {@code uri} with {@code Host: host} (none when null). */
  private static FullHttpRequest upgrade(String uri, String host) {
    FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    if (host != null) {
      req.headers().set(HttpHeaderNames.HOST, host);
    }
    req.headers().set(HttpHeaderNames.UPGRADE, "websocket");
    req.headers().set(HttpHeaderNames.CONNECTION, "Upgrade");
    req.headers().set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==");
    req.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
    return req;
  }

  /** Checks {@code req} went on down the pipeline as it was, and nothing was answered. */
  private void assertPassedOn(FullHttpRequest req) {
    assertThat(ch.writeInbound(req)).isTrue();
    FullHttpRequest passed = ch.readInbound();
    try {
      assertThat(passed).isSameAs(req);
      assertThat(passed.refCnt()).as("not released on the way").isEqualTo(1);
      assertThat(ch.<Object>readOutbound()).isNull();
      assertThat(ch.isOpen()).isTrue();
    } finally {
      passed.release();
    }
  }

  /**
   * Checks {@code req} was answered with {@code status} and a body containing {@code text}, as a
   * closing plain-text response, that it went no further and was released, and that the connection
   * was closed; returns the body.
   */
  private String assertAnswered(FullHttpRequest req, HttpResponseStatus status, String text) {
    ch.writeInbound(req);
    assertThat(ch.<Object>readInbound()).as("passed on").isNull();
    assertThat(req.refCnt()).as("the request is released").isZero();
    FullHttpResponse res = ch.readOutbound();
    assertThat(res).isNotNull();
    try {
      assertThat(res.status()).isEqualTo(status);
      String body = res.content().toString(StandardCharsets.UTF_8);
      assertThat(body).contains(text);
      assertThat(res.headers().get(HttpHeaderNames.CONTENT_TYPE))
          .isEqualTo("text/plain; charset=utf-8");
      assertThat(res.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
          .isEqualTo(res.content().readableBytes());
      assertThat(res.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
      assertThat(ch.<Object>readOutbound()).isNull();
      ch.runPendingTasks();
      assertThat(ch.isOpen()).as("closed after the answer").isFalse();
      return body;
    } finally {
      res.release();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/ws", "/?token=abc", "/ws?x=1&y=/nope"})
  void anUpgradeOnSlashOrSlashWsIsPassedOnUntouchedWhateverItsQuery(String uri) {
    assertPassedOn(upgrade(uri, "127.0.0.1:8080"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/nope", "/ws/", "/wsx", "//", "/nope?/ws"})
  void anyOtherPathGets404NamingTheEndpoints(String uri) {
    assertAnswered(
        upgrade(uri, "localhost"),
        HttpResponseStatus.NOT_FOUND,
        "WebSocket endpoints are / and /ws");
  }

  @Test
  void aRequestWithoutUpgradeWebsocketGets426() {
    FullHttpRequest plain = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    plain.headers().set(HttpHeaderNames.HOST, "localhost");
    assertAnswered(plain, HttpResponseStatus.UPGRADE_REQUIRED, "connect with a WebSocket client");
    open();
    FullHttpRequest h2c = upgrade("/", "localhost");
    h2c.headers().set(HttpHeaderNames.UPGRADE, "h2c");
    assertAnswered(h2c, HttpResponseStatus.UPGRADE_REQUIRED, "connect with a WebSocket client");
  }

  @Test
  void theUpgradeHeaderIsComparedIgnoringCase() {
    FullHttpRequest req = upgrade("/", "localhost");
    req.headers().set(HttpHeaderNames.UPGRADE, "WebSocket");
    assertPassedOn(req);
  }

  @Test
  void aHostThePolicyRefusesGets403WithItsReason() {
    String body =
        assertAnswered(
            upgrade("/", "evil.example"), HttpResponseStatus.FORBIDDEN, "Host not allowed");
    assertThat(body).isEqualTo(HostPolicy.of("", "127.0.0.1").refusal("evil.example"));
  }

  @Test
  void aRequestWithoutHostGets403() {
    assertAnswered(upgrade("/", null), HttpResponseStatus.FORBIDDEN, "Host not allowed");
  }

  @Test
  void theHostIsCheckedBeforeThePath() {
    // a refused Host learns nothing about the endpoints
    assertAnswered(upgrade("/nope", "evil.example"), HttpResponseStatus.FORBIDDEN, "Host");
  }

  @Test
  void aRequestTheDecoderCouldNotParseGets400BeforeAnyOtherCheck() {
    FullHttpRequest bad = upgrade("/nope", null); // no Host, wrong path: malformed comes first
    bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException("bad header")));
    assertAnswered(bad, HttpResponseStatus.BAD_REQUEST, "malformed HTTP request");
  }
}
