package io.qmsgbus.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one-line texts of {@link CliErrors}: no exception class names, the fix named. */
class CliErrorsMessageTest {

  @Test
  void messagesCarryNoClassNames() {
    assertThat(
            CliErrors.message(
                new IOException(
                    "javax.net.ssl.SSLHandshakeException: PKIX path building failed\n more")))
        .isEqualTo("PKIX path building failed");
    assertThat(CliErrors.message(new ClosedChannelException())).isEqualTo("closed channel");
    assertThat(CliErrors.message(new RuntimeException(null, new IOException("disk full"))))
        .isEqualTo("disk full");
  }

  @Test
  void addressesNeedWsOrWssAndAHost() {
    CliErrors.checkUrls(List.of("ws://127.0.0.1:8081/", "wss://bus.example.com/ws"));
    assertThatThrownBy(() -> CliErrors.checkUrls(List.of("bus.example.com:8081/ws")))
        .hasMessage(
            "'bus.example.com:8081/ws' is not a bus address: use ws://bus.example.com:8081/ws"
                + " (or wss:// for TLS)");
    assertThatThrownBy(() -> CliErrors.checkUrls(List.of("https://bus.example.com")))
        .hasMessage(
            "'https://bus.example.com' is an HTTP address: use wss://bus.example.com/ for the bus");
    assertThatThrownBy(() -> CliErrors.checkUrls(List.of("ws:///")))
        .hasMessageStartingWith("'ws:///' has no host: write it as ws://HOST:PORT/");
    assertThatThrownBy(() -> CliErrors.checkUrls(List.of("tcp://h:1/")))
        .hasMessage(
            "'tcp://h:1/' is not a bus address: it must start with ws:// (or wss:// for TLS)");
  }
}
