package io.qmsgbus.cli;

import io.qmsgbus.client.BusException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The exit statuses of every command, and the one sentence a user reads when something everyday
 * goes wrong: what happened and what to do, never an exception class or a stack trace.
 */
final class CliErrors {

  /** Done. */
  static final int OK = 0;

  /** Something failed at run time: no connection, the server refused, the server stopped. */
  static final int FAILURE = 1;

  /** The command line (or a file or payload it names) is wrong; nothing was done. */
  static final int USAGE = 2;

  /**
   * {@code sub --timeout}: no packet arrived in time; {@code server}: halted on out of memory (a
   * supervisor may restart it).
   */
  static final int TIMEOUT = 3;

  /** The status a server closes with when a message is bigger than its {@code maxFrameBytes}. */
  static final int MESSAGE_TOO_BIG = 1009;

  /** The exit-status table, for the help footer (the README has the same). */
  static final String[] EXIT_CODES = {
    "",
    "Exit status:",
    "  0  done",
    "  1  run-time failure: cannot connect, the server refused a packet or closed",
    "     the connection, the server could not start",
    "  2  usage error: a bad option, address, payload or setting, a missing file;",
    "     nothing was done",
    "  3  'sub --timeout' passed without a packet; 'req': no receivers for the",
    "     skill; 'server' halted on out of memory",
    "  4  'req': no answer within --timeout"
  };

  private static final Pattern CLASS_PREFIX =
      Pattern.compile("(?:[a-z_][a-z0-9_]*\\.)+[A-Z]\\w*(?:Exception|Error)(?::\\s*)?");

  private CliErrors() {}

  /**
   * Checks that every bus address is a {@code ws://} or {@code wss://} URL with a host.
   *
   * @throws IllegalArgumentException with the one sentence to print, naming the fix
   */
  static void checkUrls(List<String> urls) {
    for (String u : urls) {
      checkUrl(u);
    }
  }

  private static void checkUrl(String u) {
    int sep = u.indexOf("://");
    if (sep < 0) {
      throw new IllegalArgumentException(
          "'" + u + "' is not a bus address: use ws://" + withPath(u) + " (or wss:// for TLS)");
    }
    String scheme = u.substring(0, sep).toLowerCase(Locale.ROOT);
    String rest = u.substring(sep + 3);
    if (scheme.equals("http") || scheme.equals("https")) {
      String ws = scheme.equals("http") ? "ws://" : "wss://";
      throw new IllegalArgumentException(
          "'" + u + "' is an HTTP address: use " + ws + withPath(rest) + " for the bus");
    }
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException(
          "'" + u + "' is not a bus address: it must start with ws:// (or wss:// for TLS)");
    }
    URI uri;
    try {
      uri = new URI(u);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "'"
              + u
              + "' is not a valid address ("
              + e.getReason()
              + " at index "
              + e.getIndex()
              + ")",
          e);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "'"
              + u
              + "' has no host: write it as "
              + scheme
              + "://HOST:PORT/, e.g. ws://127.0.0.1:8081/");
    }
  }

  private static String withPath(String hostPort) {
    return hostPort.contains("/") ? hostPort : hostPort + "/";
  }

  /**
   * Why {@code connect()} failed, as one sentence: the client's exception carries one failure per
   * address tried (the first as its cause, the others suppressed; with one address, the failure
   * itself).
   */
  static String connectFailure(BusException e, List<String> urls) {
    List<Throwable> failures = new ArrayList<>();
    if (urls.size() > 1 && e.getCause() instanceof BusException first) {
      failures.add(first);
      failures.addAll(List.of(e.getSuppressed()));
    } else {
      failures.add(e);
    }
    if (failures.size() == 1) {
      return "cannot connect to " + urls.get(0) + ": " + reason(failures.get(0), urls.get(0));
    }
    StringBuilder b =
        new StringBuilder("cannot connect to any of the ").append(urls.size()).append(" servers: ");
    for (int i = 0; i < failures.size(); i++) {
      String url = i < urls.size() ? urls.get(i) : "?";
      b.append(i == 0 ? "" : "; ").append(url).append(": ").append(reason(failures.get(i), url));
    }
    return b.toString();
  }

  /** Why connecting to {@code url} failed, with what to do. */
  private static String reason(Throwable failure, String url) {
    String message = String.valueOf(failure.getMessage());
    int http = message.indexOf("the server answered HTTP ");
    if (http >= 0) {
      String answer = message.substring(http);
      return answer.contains("401")
          ? answer + ": pass --token JWT (or set QMSGBUS_TOKEN)"
          : answer.contains("403")
              ? answer + ": the server's allowedOrigins does not include this client"
              : answer + ": is this the bus's address (not its admin port)?";
    }
    if (has(failure, java.nio.channels.UnresolvedAddressException.class)
        || has(failure, java.net.UnknownHostException.class)) {
      return "unknown host '" + URI.create(url).getHost() + "': check the address";
    }
    if (has(failure, java.net.ConnectException.class)
        && !has(failure, java.net.http.HttpConnectTimeoutException.class)) {
      return "is the server running there?";
    }
    if (has(failure, java.util.concurrent.TimeoutException.class)
        || has(failure, java.net.http.HttpTimeoutException.class)) {
      return "no answer in time: check the address, and that no firewall is in the way";
    }
    String all = chainText(failure);
    if (all.contains("subject alternative") || all.contains("No name matching")) {
      return "the server's certificate is not for '"
          + URI.create(url).getHost()
          + "': connect by a name (or address) the certificate lists";
    }
    if (has(failure, CertPathBuilderException.class)
        || has(failure, CertificateException.class)
        || all.contains("PKIX")) {
      return "the server's certificate is not trusted: pass --ca-cert FILE (its certificate or"
          + " CA, PEM)";
    }
    if (url.startsWith("wss:")
        && (all.contains("plaintext connection") || all.contains("Unrecognized SSL message"))) {
      return "the server there does not speak TLS: use ws://" + url.substring("wss://".length());
    }
    if (url.startsWith("ws:") && has(failure, IOException.class) && speaksTls(URI.create(url))) {
      return "the server there speaks TLS: use wss://" + url.substring("ws://".length());
    }
    if (has(failure, SSLException.class)) {
      return "the TLS handshake failed (" + message(failure) + ")";
    }
    return message(failure.getCause() != null ? failure.getCause() : failure);
  }

  /**
   * Whether something at the address completes a TLS handshake: a diagnostic for a ws:// address
   * that failed. Trusts any certificate, sends no data, and gives up after two seconds.
   */
  static boolean speaksTls(URI uri) {
    int port = uri.getPort() > 0 ? uri.getPort() : 80;
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new AnyCertificate()}, null);
      try (Socket plain = new Socket()) {
        plain.connect(new InetSocketAddress(uri.getHost(), port), 2000);
        plain.setSoTimeout(2000);
        try (SSLSocket tls =
            (SSLSocket) ctx.getSocketFactory().createSocket(plain, uri.getHost(), port, false)) {
          tls.startHandshake();
          return true;
        }
      }
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /** The probe's trust: it only asks whether the peer speaks TLS, and sends nothing. */
  private static final class AnyCertificate implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }

  private static final Pattern NO_SUCH_FILE =
      Pattern.compile("(?:[a-z_][a-z0-9_]*\\.)+NoSuchFileException(?::\\s*\\S*)?");

  private static final Pattern ACCESS_DENIED =
      Pattern.compile("(?:[a-z_][a-z0-9_]*\\.)+AccessDeniedException(?::\\s*\\S*)?");

  /**
   * Why the server could not start, as one line with what to do: the server's own message without
   * exception class names.
   */
  static String startFailure(Throwable e) {
    String m = String.valueOf(e.getMessage());
    m = NO_SUCH_FILE.matcher(m).replaceAll("no such file");
    m = ACCESS_DENIED.matcher(m).replaceAll("permission denied");
    m = CLASS_PREFIX.matcher(m).replaceAll("").strip();
    m = m.lines().findFirst().orElse(m);
    if (m.contains("Address already in use")) {
      m += ": is another server running there? Pick another port (0: any free one)";
    }
    return m;
  }

  /** Whether {@code e} comes from a file that does not exist (then it is a usage error). */
  static boolean missingFile(Throwable e) {
    return has(e, java.nio.file.NoSuchFileException.class);
  }

  /**
   * {@code e} as one line without exception class names: the first message in its cause chain (its
   * own first), else its kind in words ("closed channel").
   */
  static String message(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && !m.isBlank()) {
        String clean = CLASS_PREFIX.matcher(m).replaceAll("").strip();
        if (!clean.isEmpty()) {
          return clean.lines().findFirst().orElse(clean);
        }
      }
    }
    String name = e.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
    String words = name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT).strip();
    return words.isEmpty() ? "failed" : words;
  }

  private static boolean has(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String chainText(Throwable e) {
    StringBuilder b = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      b.append(t.getMessage()).append('\n');
    }
    return b.toString();
  }
}
