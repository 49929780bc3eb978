package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The builder's several addresses, without a server. */
class BusClientUrisTest {

  @Test
  void oneAddressStaysTheDefault() {
    try (BusClient c = BusClient.builder().build()) {
      assertThat(c.uris()).containsExactly(URI.create("ws://127.0.0.1:8081/"));
      assertThat(c.uri()).isEqualTo(URI.create("ws://127.0.0.1:8081/"));
    }
    try (BusClient c = BusClient.builder().uri("ws://h:1/ws").build()) {
      assertThat(c.uris()).containsExactly(URI.create("ws://h:1/ws"));
    }
  }

  @Test
  void severalAddressesKeepTheirOrderAndTheFirstIsCurrentBeforeConnecting() {
    try (BusClient c = BusClient.builder().uris("ws://a:1/", "wss://b:2/ws").build()) {
      assertThat(c.uris()).containsExactly(URI.create("ws://a:1/"), URI.create("wss://b:2/ws"));
      assertThat(c.uri()).isEqualTo(URI.create("ws://a:1/"));
    }
    List<URI> given = List.of(URI.create("ws://x:1"), URI.create("ws://y:2/"));
    try (BusClient c = BusClient.builder().uris(given).build()) {
      assertThat(c.uris()).isEqualTo(given);
    }
  }

  @Test
  void aNamedSessionRidesOnEveryAddress() {
    try (BusClient c =
        BusClient.builder()
            .uris("ws://a:1", "ws://b:2/ws?x=1")
            .session("s 1")
            .sessionExpiry(Duration.ofSeconds(30))
            .build()) {
      assertThat(c.uris())
          .containsExactly(
              URI.create("ws://a:1/?session=s+1&expiry=30"),
              URI.create("ws://b:2/ws?x=1&session=s+1&expiry=30"));
    }
  }

  @Test
  void theLastAddressSettingWins() {
    try (BusClient c = BusClient.builder().uris("ws://a:1/", "ws://b:2/").port(9).build()) {
      assertThat(c.uris()).containsExactly(URI.create("ws://127.0.0.1:9/"));
    }
    try (BusClient c =
        BusClient.builder().uris("ws://a:1/", "ws://b:2/").uri("ws://c:3/").build()) {
      assertThat(c.uris()).containsExactly(URI.create("ws://c:3/"));
    }
  }

  @Test
  void rejectsNonsense() {
    BusClient.Builder b = BusClient.builder();
    assertThatThrownBy(() -> b.uris(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.uris()).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.uris("ws://a:1/", "http://b:2/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://b:2/");
    assertThatThrownBy(() -> b.uris("ws://a:1/", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void connectFailsNamingEveryAddressWhenNoneAnswers() throws Exception {
    int dead1 = deadPort();
    int dead2 = deadPort();
    try (BusClient c =
        BusClient.builder()
            .uris("ws://127.0.0.1:" + dead1 + "/", "ws://127.0.0.1:" + dead2 + "/")
            .connectTimeout(Duration.ofSeconds(2))
            .build()) {
      assertThatThrownBy(c::connect)
          .isInstanceOf(BusException.class)
          .hasMessageContaining("any of the 2 servers")
          .hasMessageContaining(":" + dead1 + "/")
          .hasMessageContaining(":" + dead2 + "/")
          .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
      assertThat(c.isConnected()).isFalse();
      assertThat(c.uri().getPort()).isEqualTo(dead1);
    }
  }

  /** A loopback port nobody listens on (it was free a moment ago). */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
