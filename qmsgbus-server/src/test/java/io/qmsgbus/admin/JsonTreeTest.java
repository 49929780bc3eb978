package io.qmsgbus.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTreeTest {

  @Test
  void readsADocumentAsMapsListsAndValues() throws IOException {
    Object doc = JsonTree.parse("{\"b\":[1,2.5,\"x\",true,null],\"a\":{\"n\":-3}}");
    Map<String, Object> m = JsonTree.object(doc);
    assertThat(m.keySet()).containsExactly("b", "a");
    assertThat(JsonTree.list(m.get("b"))).containsExactly(1, 2.5, "x", true, null);
    assertThat(JsonTree.number(JsonTree.object(m.get("a")).get("n"))).isEqualTo(-3);
  }

  @Test
  void accessorsAreLenient() {
    assertThat(JsonTree.object("x")).isEmpty();
    assertThat(JsonTree.list(Map.of())).isEmpty();
    assertThat(JsonTree.number(null)).isZero();
    assertThat(JsonTree.number(List.of())).isZero();
  }

  @Test
  void rejectsBadDocuments() {
    assertThatThrownBy(() -> JsonTree.parse("")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> JsonTree.parse("{\"a\":")).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> JsonTree.parse("{} {}")).isInstanceOf(IOException.class);
  }
}
