package io.qmsgbus.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JetStream API pieces of {@code durable}: the configs sent, the replies and PubAcks read. */
class JetStreamJsonTest {

  @Test
  void aPubAckIsAConfirm() {
    assertThat(JetStreamJson.pubAckSeq("{\"stream\":\"BENCH\",\"seq\":42}")).isEqualTo(42);
    assertThat(JetStreamJson.pubAckSeq("{\"stream\":\"BENCH\", \"seq\": 7,\"duplicate\":true}"))
        .isEqualTo(7);
    assertThat(JetStreamJson.error("{\"stream\":\"BENCH\",\"seq\":42}")).isNull();
  }

  @Test
  void anErrorIsNoConfirm() {
    String refused =
        "{\"error\":{\"code\":503,\"err_code\":10077,\"description\":\"maximum messages exceeded\"},"
            + "\"stream\":\"BENCH\",\"seq\":0}";
    assertThat(JetStreamJson.pubAckSeq(refused)).isEqualTo(-1);
    assertThat(JetStreamJson.error(refused)).isEqualTo("maximum messages exceeded");
    assertThat(JetStreamJson.errCode(refused)).isEqualTo(10077);
    assertThat(JetStreamJson.pubAckSeq("")).isEqualTo(-1);
    assertThat(JetStreamJson.pubAckSeq("{\"type\":\"x\"}")).isEqualTo(-1);
  }

  @Test
  void apiReplies() {
    String created =
        "{\"type\":\"io.nats.jetstream.api.v1.stream_create_response\",\"config\":{\"name\":"
            + "\"BENCH\",\"subjects\":[\"bench\"]},\"created\":\"2026-12-02T21:00:00Z\"}";
    assertThat(JetStreamJson.error(created)).isNull();
    String notFound =
        "{\"type\":\"io.nats.jetstream.api.v1.stream_delete_response\",\"error\":{\"code\":404,"
            + "\"err_code\":10059,\"description\":\"stream not found\"}}";
    assertThat(JetStreamJson.error(notFound)).isEqualTo("stream not found");
    assertThat(JetStreamJson.errCode(notFound)).isEqualTo(JetStreamJson.STREAM_NOT_FOUND);
    assertThat(JetStreamJson.error("{\"error\":{\"code\":500}}"))
        .isEqualTo("{\"error\":{\"code\":500}}");
    assertThat(JetStreamJson.errCode(created)).isEqualTo(-1);
    assertThat(JetStreamJson.string("{\"d\" : \"a\\\"b\"}", "d", 0)).isEqualTo("a\"b");
  }

  @Test
  void configs() {
    assertThat(JetStreamJson.streamConfig("BENCH", "bench", "file"))
        .isEqualTo(
            "{\"name\":\"BENCH\",\"subjects\":[\"bench\"],\"storage\":\"file\","
                + "\"retention\":\"interest\",\"discard\":\"old\",\"num_replicas\":1}");
    String ack = JetStreamJson.pushConsumer("BENCH", "bench-r0", "bench.deliver.0", "bench", 1);
    assertThat(ack)
        .startsWith("{\"stream_name\":\"BENCH\",\"config\":{\"durable_name\":\"bench-r0\"")
        .contains("\"deliver_subject\":\"bench.deliver.0\"", "\"filter_subject\":\"bench\"")
        .contains("\"ack_policy\":\"explicit\",\"max_ack_pending\":1")
        .endsWith("}}");
    assertThat(JetStreamJson.pushConsumer("BENCH", "r", "d", "bench", 0))
        .contains("\"ack_policy\":\"none\"")
        .doesNotContain("max_ack_pending");
  }

  @Test
  void theInboxSubjectNamesThePublishItAnswers() {
    List<String> seen = new ArrayList<>();
    NatsParser[] parser = new NatsParser[1];
    parser[0] =
        new NatsParser(
            new NatsParserTest.Recorder() {
              @Override
              public void msg(int sid, byte[] replyTo, ByteBuf buf, int index, int length) {
                seen.add(
                    parser[0].subject()
                        + " "
                        + parser[0].subjectSuffixNumber()
                        + " "
                        + JetStreamJson.pubAckSeq(
                            buf.toString(index, length, StandardCharsets.UTF_8)));
              }
            });
    String in =
        "MSG _INBOX.bench.publisher-0.c.0000000017 1000002 26\r\n{\"stream\":\"BENCH\",\"seq\":5}\r\n"
            + "MSG bench.deliver.0 1 $JS.ACK.BENCH.bench-r0.1.5.5.1733173200000000000.0 2\r\nhi\r\n"
            + "MSG _INBOX.x.api 3 2\r\n{}\r\n";
    byte[] all = in.getBytes(StandardCharsets.US_ASCII);
    // split inside the first payload: the subject is still known when it completes
    ByteBuf a = Unpooled.wrappedBuffer(all, 0, 70);
    ByteBuf b = Unpooled.wrappedBuffer(all, 70, all.length - 70);
    parser[0].feed(a, 0, a.readableBytes());
    parser[0].feed(b, 0, b.readableBytes());
    assertThat(seen)
        .containsExactly(
            "_INBOX.bench.publisher-0.c.0000000017 17 5",
            "bench.deliver.0 0 -1",
            "_INBOX.x.api -1 -1");
  }
}
