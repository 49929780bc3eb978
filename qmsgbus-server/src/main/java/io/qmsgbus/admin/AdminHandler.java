package io.qmsgbus.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin HTTP connection. Requests are answered in the order they came (a connection may send
 * the next before the last is answered); the slow parts run on the admin thread.
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  private static final ExpositionFormats FORMATS = ExpositionFormats.init();

  /** The console's only sources are the admin port itself and the bus's WebSocket. */
  private static final String CSP =
      "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
          + "style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'";

  private static final String TEXT = "text/plain; charset=utf-8";
  private static final String JSON = "application/json";

  /** Entries per page of {@code /api/clients} and {@code /api/skills} without {@code ?limit=}. */
  static final int DEFAULT_PAGE_LIMIT = 100;

  /** The largest page {@code ?limit=} may ask for. */
  static final int MAX_PAGE_LIMIT = 1000;

  record Response(
      HttpResponseStatus status,
      String contentType,
      byte[] body,
      String cache,
      Map<String, String> headers) {
    Response(HttpResponseStatus status, String contentType, byte[] body, String cache) {
      this(status, contentType, body, cache, Map.of());
    }

    static Response text(HttpResponseStatus status, String body) {
      return new Response(status, TEXT, body.getBytes(StandardCharsets.UTF_8), "no-store");
    }

    static Response json(byte[] body) {
      return new Response(HttpResponseStatus.OK, JSON, body, "no-store");
    }
  }

  private final AdminServer admin;

  /** The last request's answer; the next is written after it. Touched on the channel's loop. */
  private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);

  AdminHandler(AdminServer admin) {
    this.admin = admin;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    HttpVersion version = req.protocolVersion();
    if (!req.decoderResult().isSuccess()) {
      write(
          ctx,
          Response.text(HttpResponseStatus.BAD_REQUEST, "bad request\n"),
          false,
          false,
          version);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    boolean head = HttpMethod.HEAD.equals(req.method());
    CompletableFuture<Response> answer;
    try {
      answer = route(req);
    } catch (RuntimeException e) {
      answer = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<Response> ready = answer;
    previous =
        previous
            .thenCompose(v -> ready)
            .handle((r, e) -> r != null ? r : failure(e))
            .thenAccept(r -> write(ctx, r, head, keepAlive, version));
  }

  private static final String SESSIONS_PREFIX = "/api/sessions/";

  private CompletableFuture<Response> route(FullHttpRequest req) {
    HttpMethod method = req.method();
    boolean delete = HttpMethod.DELETE.equals(method);
    if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method) && !delete) {
      return done(
          Response.text(
              HttpResponseStatus.METHOD_NOT_ALLOWED,
              "only GET and HEAD (and DELETE on /api/sessions/NAME)\n"));
    }
    String hostHeader = req.headers().get(HttpHeaderNames.HOST);
    if (!admin.hosts().allows(hostHeader)) {
      return done(Response.text(HttpResponseStatus.FORBIDDEN, admin.hosts().refusal(hostHeader)));
    }
    QueryStringDecoder query = new QueryStringDecoder(req.uri());
    String path = query.path();
    if (admin.token() != null && !path.equals("/healthz") && !path.equals("/readyz")) {
      Response refused = login(req, query, path);
      if (refused != null) {
        return done(refused);
      }
    }
    if (delete) {
      if (!path.startsWith(SESSIONS_PREFIX) || path.length() == SESSIONS_PREFIX.length()) {
        return done(
            Response.text(
                HttpResponseStatus.METHOD_NOT_ALLOWED, "DELETE only on /api/sessions/NAME\n"));
      }
      String name = QueryStringDecoder.decodeComponent(path.substring(SESSIONS_PREFIX.length()));
      return done(
          admin.deleteSession(name)
              ? Response.text(HttpResponseStatus.OK, "deleted session " + name + "\n")
              : Response.text(HttpResponseStatus.NOT_FOUND, "no session " + name + "\n"));
    }
    switch (path) {
      case "/api/sessions":
        int sessionLimit = Math.min(MAX_PAGE_LIMIT, intParam(query, "limit", DEFAULT_PAGE_LIMIT));
        int sessionOffset = intParam(query, "offset", 0);
        return admin
            .snapshots()
            .thenApplyAsync(
                all -> Response.json(admin.json().sessions(all, sessionOffset, sessionLimit)),
                admin.worker());
      case "/healthz":
        return done(Response.text(HttpResponseStatus.OK, "ok\n"));
      case "/readyz":
        String why = admin.notReadyBecause();
        return done(
            why == null
                ? Response.text(HttpResponseStatus.OK, "ready\n")
                : Response.text(
                    HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready: " + why + "\n"));
      case "/api/cluster":
        CompletableFuture<byte[]> cluster = admin.clusterJson();
        if (cluster == null) {
          return done(
              Response.text(
                  HttpResponseStatus.NOT_FOUND,
                  "not in a cluster: this node runs on its own (see --cluster)\n"));
        }
        return cluster.thenApply(Response::json);
      case "/metrics":
        String accept = req.headers().get(HttpHeaderNames.ACCEPT);
        return admin
            .snapshots()
            .thenApplyAsync(clients -> metrics(accept, clients), admin.worker());
      case "/api/stats":
        boolean history = query.parameters().containsKey("history");
        return admin
            .snapshots()
            .thenApplyAsync(
                clients -> Response.json(admin.json().stats(clients, admin.ready(), history)),
                admin.worker());
      case "/api/clients":
        int limit = Math.min(MAX_PAGE_LIMIT, intParam(query, "limit", DEFAULT_PAGE_LIMIT));
        int offset = intParam(query, "offset", 0);
        return admin
            .snapshots()
            .thenApplyAsync(
                clients -> Response.json(admin.json().clients(clients, offset, limit)),
                admin.worker());
      case "/api/skills":
        int skillLimit = Math.min(MAX_PAGE_LIMIT, intParam(query, "limit", DEFAULT_PAGE_LIMIT));
        int skillOffset = intParam(query, "offset", 0);
        return CompletableFuture.supplyAsync(
            () -> Response.json(admin.json().skills(skillOffset, skillLimit)), admin.worker());
      default:
        StaticAssets.Asset asset = admin.assets().get(path);
        if (asset != null) {
          return done(
              new Response(HttpResponseStatus.OK, asset.contentType(), asset.body(), "no-cache"));
        }
        return done(Response.text(HttpResponseStatus.NOT_FOUND, "not found: " + path + "\n"));
    }
  }

  /**
   * With {@code adminTokenFile} set: null when the request carries the token ({@code Authorization:
   * Bearer} or the console's cookie); a redirect setting the cookie for the console page opened
   * with a good {@code ?token=}; 401 otherwise.
   */
  private Response login(FullHttpRequest req, QueryStringDecoder query, String path) {
    AdminToken token = admin.token();
    String authorization = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (authorization != null) {
      String a = authorization.trim();
      if (a.regionMatches(true, 0, "Bearer ", 0, 7) && token.matches(a.substring(7).trim())) {
        return null;
      }
    } else {
      String cookies = req.headers().get(HttpHeaderNames.COOKIE);
      if (cookies != null) {
        for (Cookie c : ServerCookieDecoder.STRICT.decode(cookies)) {
          if (c.name().equals(AdminToken.COOKIE) && token.matches(c.value())) {
            return null;
          }
        }
      }
    }
    List<String> given = query.parameters().get("token");
    if ((path.equals("/") || path.equals("/index.html"))
        && given != null
        && !given.isEmpty()
        && token.matches(given.get(0))) {
      // the token leaves the address bar at once; from now on the cookie carries it
      return new Response(
          HttpResponseStatus.SEE_OTHER,
          TEXT,
          "logged in\n".getBytes(StandardCharsets.UTF_8),
          "no-store",
          Map.of(
              HttpHeaderNames.LOCATION.toString(),
              "/",
              HttpHeaderNames.SET_COOKIE.toString(),
              AdminToken.COOKIE + "=" + given.get(0) + "; Path=/; HttpOnly; SameSite=Strict"));
    }
    return new Response(
        HttpResponseStatus.UNAUTHORIZED,
        TEXT,
        ("admin login required: send Authorization: Bearer TOKEN (the adminTokenFile's), or open"
                + " the console once as /?token=TOKEN\n")
            .getBytes(StandardCharsets.UTF_8),
        "no-store",
        Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer realm=\"qmsgbus-admin\""));
  }

  private Response metrics(String accept, List<io.qmsgbus.session.SessionSnapshot> clients) {
    ExpositionFormatWriter writer = accept == null ? null : FORMATS.findWriter(accept);
    if (writer == null || !writer.isAvailable()) {
      writer = FORMATS.getPrometheusTextFormatWriter();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      writer.write(out, admin.exporter().scrape(clients));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String type = writer.getContentType();
    if (writer instanceof PrometheusTextFormatWriter && !type.contains("charset")) {
      type += "; charset=utf-8";
    }
    return new Response(HttpResponseStatus.OK, type, out.toByteArray(), "no-store");
  }

  private static int intParam(QueryStringDecoder query, String name, int otherwise) {
    List<String> values = query.parameters().get(name);
    if (values == null || values.isEmpty()) {
      return otherwise;
    }
    try {
      return Math.max(0, Integer.parseInt(values.get(0)));
    } catch (NumberFormatException e) {
      return otherwise;
    }
  }

  private static CompletableFuture<Response> done(Response r) {
    return CompletableFuture.completedFuture(r);
  }

  private static Response failure(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof RejectedExecutionException) {
      return Response.text(HttpResponseStatus.SERVICE_UNAVAILABLE, "stopping\n");
    }
    log.warn("admin request failed", cause);
    return Response.text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error\n");
  }

  private static void write(
      ChannelHandlerContext ctx, Response r, boolean head, boolean keepAlive, HttpVersion version) {
    ByteBuf content =
        head || r.body().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body());
    FullHttpResponse res = new DefaultFullHttpResponse(version, r.status(), content);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, r.contentType())
        .set(HttpHeaderNames.CACHE_CONTROL, r.cache())
        .set("X-Content-Type-Options", "nosniff");
    r.headers().forEach((k, v) -> res.headers().set(k, v));
    if (r.status() == HttpResponseStatus.METHOD_NOT_ALLOWED) {
      res.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
    }
    if (r.contentType().startsWith("text/html")) {
      res.headers()
          .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP)
          .set(HttpHeaderNames.X_FRAME_OPTIONS, "DENY")
          .set("Referrer-Policy", "no-referrer");
    }
    HttpUtil.setContentLength(res, r.body().length);
    HttpUtil.setKeepAlive(res, keepAlive);
    ChannelFuture f = ctx.writeAndFlush(res);
    if (!keepAlive) {
      f.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("admin connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
