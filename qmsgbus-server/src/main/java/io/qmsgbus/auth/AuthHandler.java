package io.qmsgbus.auth;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.QueryStringEncoder;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Checks a WebSocket upgrade request before the handshake: first its {@code Origin} (refused with
 * 403), then, when authentication is on, its credentials (refused with 401 and {@code
 * WWW-Authenticate}), so a refused client never exchanges a single frame.
 *
 * <p>Credentials, in order: {@code Authorization: Bearer TOKEN}, {@code Authorization: Basic ...}
 * (name and password from the users file), or a {@code token} query parameter (for browsers, which
 * cannot set headers on a WebSocket). The accepted {@link Identity} goes into the channel attribute
 * {@link Identity#ATTRIBUTE}; the {@code Authorization} header and the {@code token} parameter are
 * removed from the request before it goes on, so nothing after this handler can log them. bcrypt
 * checks run on the {@link Authenticator}'s own small pool, never on the event loop. The handler
 * removes itself once the request has passed.
 */
public final class AuthHandler extends ChannelInboundHandlerAdapter {

  private final Authenticator auth;
  private boolean waiting;

  public AuthHandler(Authenticator auth) {
    this.auth = auth;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest req)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (waiting) {
      ReferenceCountUtil.release(msg); // a pipelined request while a password check runs
      return;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    if (!auth.origins().allows(origin, req.headers().get(HttpHeaderNames.HOST))) {
      auth.failedLogins()
          .failed(
              ctx.channel().remoteAddress(), "origin", "origin not allowed: " + printable(origin));
      respond(ctx, req, HttpResponseStatus.FORBIDDEN, List.of(), "QMsgBus: origin not allowed\n");
      return;
    }
    if (!auth.authRequired()) {
      pass(ctx, req, null);
      return;
    }
    String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    String token = null;
    String basic = null;
    if (authorization != null) {
      String a = authorization.trim();
      if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
        token = a.substring(7).trim();
      } else if (a.regionMatches(true, 0, "Basic ", 0, 6)) {
        basic = a.substring(6).trim();
      } else {
        refuse(ctx, req, "other", "unsupported Authorization scheme", null);
        return;
      }
    } else {
      List<String> t = new QueryStringDecoder(req.uri()).parameters().get("token");
      if (t != null && !t.isEmpty()) {
        token = t.get(0);
      }
    }
    if (token != null) {
      checkToken(ctx, req, token);
    } else if (basic != null) {
      checkPassword(ctx, req, basic);
    } else {
      refuse(ctx, req, "none", "no credentials", null);
    }
  }

  private void checkToken(ChannelHandlerContext ctx, FullHttpRequest req, String token) {
    if (auth.jwt() == null) {
      refuse(ctx, req, "bearer", "tokens are not accepted here", null);
      return;
    }
    try {
      pass(ctx, req, auth.jwt().verify(token));
    } catch (AuthException e) {
      refuse(ctx, req, "bearer", e.getMessage(), e.getMessage());
    }
  }

  private void checkPassword(ChannelHandlerContext ctx, FullHttpRequest req, String encoded) {
    UsersFile users = auth.users();
    if (users == null) {
      refuse(ctx, req, "basic", "passwords are not accepted here", null);
      return;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      refuse(ctx, req, "basic", "malformed Basic credentials", null);
      return;
    }
    int colon = decoded.indexOf(':');
    if (colon < 0) {
      refuse(ctx, req, "basic", "malformed Basic credentials", null);
      return;
    }
    String name = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    InetAddress address =
        ctx.channel().remoteAddress() instanceof InetSocketAddress isa && isa.getAddress() != null
            ? isa.getAddress()
            : InetAddress.getLoopbackAddress();
    String userKey = name.length() > 64 ? name.substring(0, 64) : name;
    LoginThrottle throttle = auth.throttle();
    LoginThrottle.Decision decision = throttle.tryBegin(address, userKey);
    if (!decision.allowed()) {
      auth.failedLogins()
          .failed(ctx.channel().remoteAddress(), "basic", "too many failed logins, not checked");
      FullHttpResponse res =
          response(
              HttpResponseStatus.TOO_MANY_REQUESTS,
              List.of(),
              "QMsgBus: too many failed logins, try again later\n");
      res.headers().set(HttpHeaderNames.RETRY_AFTER, decision.retryAfterSeconds());
      send(ctx, req, res);
      return;
    }
    if (decision.suspect()
        && auth.passwordChecks().getQueue().size() >= Authenticator.MAX_PENDING_SUSPECT_CHECKS) {
      throttle.finished(address, userKey, true); // not checked: no failure to count
      respond(
          ctx,
          req,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          List.of(),
          "QMsgBus: too many logins at once, try again\n");
      return;
    }
    waiting = true;
    ctx.channel().config().setAutoRead(false);
    try {
      auth.passwordChecks()
          .execute(
              () -> {
                Identity id = null;
                String why = null;
                try {
                  id = users.authenticate(name, password);
                } catch (AuthException e) {
                  why = e.getMessage();
                } catch (RuntimeException e) {
                  why = "password check failed: " + e;
                }
                throttle.finished(address, userKey, id != null);
                Identity found = id;
                String reason = why;
                try {
                  ctx.executor().execute(() -> passwordChecked(ctx, req, found, reason));
                } catch (RejectedExecutionException shuttingDown) {
                  req.release();
                }
              });
    } catch (RejectedExecutionException busy) {
      throttle.finished(address, userKey, true);
      waiting = false;
      ctx.channel().config().setAutoRead(true);
      respond(
          ctx,
          req,
          HttpResponseStatus.SERVICE_UNAVAILABLE,
          List.of(),
          "QMsgBus: too many logins at once, try again\n");
    }
  }

  private void passwordChecked(
      ChannelHandlerContext ctx, FullHttpRequest req, Identity id, String reason) {
    waiting = false;
    if (!ctx.channel().isActive()) {
      req.release();
      return;
    }
    ctx.channel().config().setAutoRead(true);
    if (id != null) {
      pass(ctx, req, id);
    } else {
      // the client learns only that the pair was wrong, not which half
      refuse(ctx, req, "basic", reason, null);
    }
  }

  private void pass(ChannelHandlerContext ctx, FullHttpRequest req, Identity id) {
    if (id != null) {
      ctx.channel().attr(Identity.ATTRIBUTE).set(id);
      if (id.expiresAtMillis() > 0) {
        closeAtExpiry(ctx.channel(), id.expiresAtMillis());
      }
    }
    req.headers().remove(HttpHeaderNames.AUTHORIZATION);
    req.setUri(withoutToken(req.uri()));
    ctx.fireChannelRead(req);
    if (ctx.pipeline().context(this) != null) {
      ctx.pipeline().remove(this);
    }
  }

  /**
   * Closes the connection when its token expires: 1008 "token expired" once the WebSocket is up (a
   * plain close before that). Scheduled on the channel's own event loop, cancelled when it closes.
   */
  static void closeAtExpiry(Channel ch, long expiresAtMillis) {
    long delay = Math.max(0, expiresAtMillis - System.currentTimeMillis());
    ScheduledFuture<?> task =
        ch.eventLoop()
            .schedule(
                () -> {
                  if (!ch.isActive()) {
                    return;
                  }
                  if (ch.pipeline().get(WebSocketFrameEncoder.class) != null) {
                    ch.writeAndFlush(
                            new CloseWebSocketFrame(
                                WebSocketCloseStatus.POLICY_VIOLATION, "token expired"))
                        .addListener(ChannelFutureListener.CLOSE);
                  } else {
                    ch.close();
                  }
                },
                delay,
                TimeUnit.MILLISECONDS);
    ch.closeFuture().addListener(f -> task.cancel(false));
  }

  /**
   * Answers 401. {@code logReason} goes to the (rate-limited) log; {@code tokenError}, when not
   * null, is told to the client in the Bearer challenge (RFC 6750 {@code invalid_token}).
   */
  private void refuse(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      String method,
      String logReason,
      String tokenError) {
    auth.failedLogins().failed(ctx.channel().remoteAddress(), method, logReason);
    List<String> challenges = auth.challenges();
    if (tokenError != null) {
      challenges =
          challenges.stream()
              .map(
                  c ->
                      c.startsWith("Bearer ")
                          ? c
                              + ", error=\"invalid_token\", error_description=\""
                              + tokenError.replace('"', '\'').replace('\\', '/')
                              + "\""
                          : c)
              .toList();
    }
    String body =
        tokenError != null
            ? "QMsgBus: invalid token: " + tokenError + "\n"
            : "QMsgBus: authentication required (a Bearer token or Basic credentials)\n";
    respond(ctx, req, HttpResponseStatus.UNAUTHORIZED, challenges, body);
  }

  private static void respond(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HttpResponseStatus status,
      List<String> challenges,
      String text) {
    send(ctx, req, response(status, challenges, text));
  }

  /** Every refusal ends here: the request is released and the connection closed after it. */
  private static void send(ChannelHandlerContext ctx, FullHttpRequest req, FullHttpResponse res) {
    req.release();
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  private static FullHttpResponse response(
      HttpResponseStatus status, List<String> challenges, String text) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    for (String c : challenges) {
      res.headers().add(HttpHeaderNames.WWW_AUTHENTICATE, c);
    }
    HttpUtil.setContentLength(res, res.content().readableBytes());
    return res;
  }

  /** The request URI without its {@code token} parameter (the rest kept as it was). */
  static String withoutToken(String uri) {
    if (!uri.contains("token")) {
      return uri;
    }
    QueryStringDecoder d = new QueryStringDecoder(uri);
    if (!d.parameters().containsKey("token")) {
      return uri;
    }
    QueryStringEncoder e = new QueryStringEncoder(d.rawPath());
    for (Map.Entry<String, List<String>> p : d.parameters().entrySet()) {
      if (!p.getKey().equals("token")) {
        for (String v : p.getValue()) {
          e.addParam(p.getKey(), v);
        }
      }
    }
    return e.toString();
  }

  /** A header value fit for a log line: printable ASCII, at most 100 characters. */
  static String printable(String s) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 100; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
