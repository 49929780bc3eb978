package io.qmsgbus.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The subscription bookkeeping against a recording link, on a real single-thread executor. */
class InterestTest {

  private final DefaultEventExecutor loop = new DefaultEventExecutor();
  private final Set<String> local = ConcurrentHashMap.newKeySet();
  private final List<String> sent = Collections.synchronizedList(new ArrayList<>());
  private volatile boolean up = true;

  private final Interest.Link link =
      new Interest.Link() {
        @Override
        public boolean up() {
          return up;
        }

        @Override
        public void subscribe(String skill) {
          sent.add("SUB " + skill);
        }

        @Override
        public void unsubscribe(String skill) {
          sent.add("UNSUB " + skill);
        }
      };

  private Interest interest(long lingerMillis, long timeoutMillis) {
    return new Interest(
        loop, link, local::contains, () -> new ArrayList<>(local), lingerMillis, timeoutMillis);
  }

  @AfterEach
  void stop() {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** Waits until everything queued on the loop so far has run. */
  private void drain() throws Exception {
    loop.submit(() -> {}).get(5, TimeUnit.SECONDS);
  }

  @Test
  void theFirstLocalReceiverSubscribesOnce() throws Exception {
    Interest i = interest(10_000, 10_000);
    local.add("a");
    i.changed("a");
    i.changed("a"); // a second receiver of the same skill
    drain();
    assertThat(sent).containsExactly("SUB a");
  }

  @Test
  void readyWaitsForRedissConfirmation() throws Exception {
    Interest i = interest(10_000, 60_000);
    local.add("a");
    i.changed("a");
    CompletableFuture<Void> ready = i.ready(List.of("a"));
    drain();
    assertThat(ready).isNotDone();
    i.subscribed("a");
    ready.get(5, TimeUnit.SECONDS);
    assertThat(i.subscribedCount()).isEqualTo(1);
    assertThat(i.ready(List.of("a")).get(5, TimeUnit.SECONDS)).isNull(); // already in force
  }

  @Test
  void readyDoesNotWaitWhileTheLinkIsDown() throws Exception {
    up = false;
    Interest i = interest(10_000, 60_000);
    local.add("a");
    i.changed("a");
    i.ready(List.of("a")).get(5, TimeUnit.SECONDS);
    assertThat(sent).isEmpty(); // subscribed when the link comes up
    up = true;
    i.linkUp();
    drain();
    assertThat(sent).containsExactly("SUB a");
  }

  @Test
  void readyGivesUpAfterTheTimeout() throws Exception {
    Interest i = interest(10_000, 50);
    local.add("a");
    i.changed("a");
    i.ready(List.of("a")).get(5, TimeUnit.SECONDS); // no confirmation ever comes
  }

  @Test
  void aLinkThatGoesDownReleasesWhoeverWaits() throws Exception {
    Interest i = interest(10_000, 60_000);
    local.add("a");
    i.changed("a");
    CompletableFuture<Void> ready = i.ready(List.of("a"));
    drain();
    assertThat(ready).isNotDone();
    i.linkDown();
    ready.get(5, TimeUnit.SECONDS);
  }

  @Test
  void theLastReceiverLeavingUnsubscribesOnlyAfterTheLinger() throws Exception {
    Interest i = interest(100, 10_000);
    local.add("a");
    i.changed("a");
    drain(); // the loop has seen the receiver before it goes
    i.subscribed("a");
    local.remove("a");
    i.changed("a");
    drain();
    assertThat(sent).containsExactly("SUB a");
    await().atMost(Duration.ofSeconds(5)).until(() -> sent.contains("UNSUB a"));
    assertThat(i.subscribedCount()).isZero();
  }

  @Test
  void comingBackWithinTheLingerCostsNothing() throws Exception {
    Interest i = interest(200, 10_000);
    local.add("a");
    i.changed("a");
    drain(); // the loop has seen the receiver before it goes
    i.subscribed("a");
    local.remove("a");
    i.changed("a");
    local.add("a");
    i.changed("a");
    drain();
    // past the linger, still subscribed, and nothing more was sent
    loop.schedule(() -> {}, 400, TimeUnit.MILLISECONDS).get(5, TimeUnit.SECONDS);
    assertThat(sent).containsExactly("SUB a");
    assertThat(i.subscribedCount()).isEqualTo(1);
  }

  @Test
  void aReconnectSubscribesToExactlyWhatIsWantedNow() throws Exception {
    Interest i = interest(10_000, 10_000);
    local.add("a");
    local.add("b");
    i.changed("a");
    i.changed("b");
    drain();
    i.subscribed("a");
    i.subscribed("b");
    i.linkDown();
    local.remove("b"); // left while the link was down
    i.changed("b");
    local.add("c");
    i.changed("c");
    drain();
    sent.clear();
    i.linkUp();
    drain();
    assertThat(sent).containsExactlyInAnyOrder("SUB a", "SUB c");
  }

  @Test
  void aFailedSubscribeReleasesTheWaiterAndIsRetriedOnTheNextChange() throws Exception {
    Interest i = interest(10_000, 60_000);
    local.add("a");
    i.changed("a");
    CompletableFuture<Void> ready = i.ready(List.of("a"));
    i.failed("a");
    ready.get(5, TimeUnit.SECONDS);
    i.changed("a");
    drain();
    assertThat(sent).containsExactly("SUB a", "SUB a");
  }
}
