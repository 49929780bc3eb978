package io.qmsgbus.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's TLS: a Netty {@link SslContext} from PEM certificate (chain) and PKCS#8 private key
 * files, on OpenSSL (BoringSSL, from netty-tcnative-boringssl-static) where its native library
 * loads, on the JDK's provider otherwise; and a handler that turns TLS handshake failures into a
 * quiet close instead of an error.
 */
public final class TlsSetup {

  private static final Logger log = LoggerFactory.getLogger(TlsSetup.class);

  private TlsSetup() {}

  /** OpenSSL when available (and not turned off with {@code -Dqmsgbus.tls.provider=jdk}). */
  public static SslProvider provider() {
    boolean jdk = "jdk".equalsIgnoreCase(System.getProperty("qmsgbus.tls.provider"));
    return !jdk && OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
  }

  /**
   * Builds the server context.
   *
   * @throws IllegalStateException naming the files when they cannot be read or do not match
   */
  public static SslContext serverContext(String certFile, String keyFile) {
    File cert = new File(certFile);
    File key = new File(keyFile);
    if (!cert.canRead()) {
      throw new IllegalStateException("tlsCert: cannot read " + certFile);
    }
    if (!key.canRead()) {
      throw new IllegalStateException("tlsKey: cannot read " + keyFile);
    }
    SslProvider provider = provider();
    try {
      SslContext ctx = SslContextBuilder.forServer(cert, key).sslProvider(provider).build();
      log.info(
          "TLS on: certificate {} provider {}{}",
          certFile,
          provider,
          provider == SslProvider.OPENSSL ? " (" + OpenSsl.versionString() + ")" : "");
      return ctx;
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "cannot use tlsCert "
              + certFile
              + " with tlsKey "
              + keyFile
              + " (PEM certificate chain and PEM PKCS#8 'PRIVATE KEY', unencrypted): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Placed right after the {@code SslHandler}: a client that fails the handshake (plain ws:// on a
   * wss:// port, a certificate it does not trust) is logged at debug and closed, rather than
   * reaching the bus handler as an error. It stays in the pipeline (Netty skips it for reads, as it
   * does not override them), so a TLS error later in the connection is handled the same way.
   */
  public static final class HandshakeErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done) {
        if (!done.isSuccess()) {
          log.debug(
              "TLS handshake failed remote={}: {}",
              ctx.channel().remoteAddress(),
              done.cause().toString());
          ctx.close();
          return;
        }
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
      if (cause instanceof DecoderException && cause.getCause() instanceof SSLException
          || cause instanceof SSLException) {
        log.debug("TLS error remote={}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
        return;
      }
      super.exceptionCaught(ctx, cause);
    }
  }
}
