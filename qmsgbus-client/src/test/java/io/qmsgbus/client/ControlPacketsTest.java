package io.qmsgbus.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ControlPacketsTest {

  @Test
  void buildsRequestsAndAnswers() {
    assertThat(ControlPackets.inbox(3)).isEqualTo("{\"inbox\":true,\"id\":3}");
    assertThat(ControlPackets.request("svc", "_inbox.abc", 4, "[1]"))
        .isEqualTo("{\"skill\":\"svc\",\"reply\":\"_inbox.abc\",\"id\":4,\"payload\":[1]}");
    assertThat(ControlPackets.answer("_inbox.abc", "4", "\"x\""))
        .isEqualTo("{\"skill\":\"_inbox.abc\",\"re\":4,\"payload\":\"x\"}");
    assertThat(ControlPackets.answer("r\"q", null, "1"))
        .isEqualTo("{\"skill\":\"r\\\"q\",\"payload\":1}");
  }

  @Test
  void requestsCarryTheirId() {
    assertThat(ControlPackets.register(List.of("a", "b\"c"), 3))
        .isEqualTo("{\"register\":[\"a\",\"b\\\"c\"],\"id\":3}");
    assertThat(ControlPackets.deregister(List.of("a"), 4))
        .isEqualTo("{\"deregister\":[\"a\"],\"id\":4}");
    assertThat(ControlPackets.flag("fastpush", true, 5)).isEqualTo("{\"fastpush\":true,\"id\":5}");
    assertThat(ControlPackets.get(6)).isEqualTo("{\"get\":\"\",\"id\":6}");
    assertThat(ControlPackets.ACK).isEqualTo("{\"ack\":\"\"}");
  }

  @Test
  void restoreHoldsOnlyWhatWasSet() {
    assertThat(ControlPackets.restore(List.of(), null, null, 1)).isNull();
    assertThat(ControlPackets.restore(List.of("a"), null, null, 1))
        .isEqualTo("{\"register\":[\"a\"],\"id\":1}");
    assertThat(ControlPackets.restore(List.of("a", "b"), true, false, 2))
        .isEqualTo("{\"register\":[\"a\",\"b\"],\"buffering\":true,\"fastpush\":false,\"id\":2}");
    assertThat(ControlPackets.restore(List.of(), null, true, 3))
        .isEqualTo("{\"fastpush\":true,\"id\":3}");
  }

  @Test
  void dataPacketsAreValidJsonWithTheSkill() {
    String json = ControlPackets.dataJson("s\"1", "{\"n\":[1,2]}");
    assertThat(json).isEqualTo("{\"skill\":\"s\\\"1\",\"payload\":{\"n\":[1,2]}}");
    assertThat(JsonReader.topLevelString(json, "skill")).isEqualTo("s\"1");
    String text = ControlPackets.dataText("s", "line1\nline2");
    assertThat(JsonReader.readObject(text).get("payload")).isEqualTo("line1\nline2");
  }

  @Test
  void sessionStateRestoresConfirmedChanges() {
    SessionState state = new SessionState();
    assertThat(state.restorePacket(1)).isNull();
    state.registered(List.of("a", "b"));
    state.registered(List.of("a"));
    state.deregistered(List.of("b", "unknown"));
    state.buffering(true);
    assertThat(state.skills()).containsExactly("a");
    assertThat(state.restorePacket(9))
        .isEqualTo("{\"register\":[\"a\"],\"buffering\":true,\"id\":9}");
  }
}
