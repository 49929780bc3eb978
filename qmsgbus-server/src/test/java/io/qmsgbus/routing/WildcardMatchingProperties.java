package io.qmsgbus.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.qmsgbus.message.ByteAccount;
import io.qmsgbus.message.Message;
import io.qmsgbus.skill.SkillPattern;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The router's wildcard matching (trie, cache, exact table, de-duplication) against a naive
 * reference: every registration's {@link SkillPattern#matches}, receiver by receiver. Small token
 * alphabets so that patterns and names collide often.
 */
class WildcardMatchingProperties {

  private static final class Seen implements Receiver {
    final Set<String> got = new HashSet<>();
    int copies;

    @Override
    public void offer(Message m) {
      got.add(m.skill());
      copies++;
      m.release();
    }
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.of("a", "b", "c")
        .list()
        .ofMinSize(1)
        .ofMaxSize(4)
        .map(l -> String.join(".", l));
  }

  @Provide
  Arbitrary<String> patterns() {
    Arbitrary<List<String>> tokens = Arbitraries.of("a", "b", "*").list().ofMinSize(0).ofMaxSize(3);
    Arbitrary<Boolean> rest = Arbitraries.of(true, false);
    return Combinators.combine(tokens, rest)
        .as(
            (t, r) -> {
              List<String> all = new ArrayList<>(t);
              if (r || all.isEmpty()) {
                all.add(">");
              }
              return String.join(".", all);
            });
  }

  @Property(tries = 300)
  void everyReceiverGetsExactlyTheNamesOneOfItsRegistrationsMatches(
      @ForAll("registrations") List<List<String>> perReceiver,
      @ForAll("namesList") List<String> published) {
    LocalRouter router = new LocalRouter();
    List<Seen> receivers = new ArrayList<>();
    for (List<String> regs : perReceiver) {
      Seen s = new Seen();
      receivers.add(s);
      regs.forEach(reg -> router.subscribe(reg, s));
    }
    for (String name : published) {
      Message m = Message.of(name, Unpooled.buffer(1).writeByte('x'), 1, 1, null, ByteAccount.NONE);
      router.publish(m);
      m.release();
    }
    for (int i = 0; i < receivers.size(); i++) {
      Set<String> expected = new HashSet<>();
      int copies = 0;
      for (String name : published) {
        boolean any = false;
        for (String reg : perReceiver.get(i)) {
          any |= SkillPattern.parse(reg).matches(name);
        }
        if (any) {
          expected.add(name);
          copies++;
        }
      }
      assertThat(receivers.get(i).got).isEqualTo(expected);
      assertThat(receivers.get(i).copies).as("one copy per packet").isEqualTo(copies);
    }
  }

  @Provide
  Arbitrary<List<List<String>>> registrations() {
    Arbitrary<String> reg = Arbitraries.oneOf(names(), patterns());
    return reg.list().ofMinSize(1).ofMaxSize(4).list().ofMinSize(1).ofMaxSize(5);
  }

  @Provide
  Arbitrary<List<String>> namesList() {
    return names().list().ofMinSize(1).ofMaxSize(20);
  }
}
