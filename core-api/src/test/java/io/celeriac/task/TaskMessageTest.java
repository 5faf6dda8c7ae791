package io.celeriac.task;

import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TaskMessageTest {

    private static final String ID = "052d8b90-4233-48ac-92ab-9a34372a038d";

    @Test
    void buildsTheMessageCeleryCapturedForSendTask() {
        Message m = TaskMessage.builder().task("proj.add").id(ID).args(2L, 3L).kwargs(Map.of("z", 1L))
                .origin("gen1234@host").replyTo("f505baae-7c7a-3510-b867-61a46fba8b03").build().toMessage();

        assertThat(m.bodyAsString()).isEqualTo(
                "[[2, 3], {\"z\": 1}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]");
        assertThat(m.headers().keySet()).containsExactly("lang", "task", "id", "shadow", "eta", "expires", "group",
                "group_index", "retries", "timelimit", "root_id", "parent_id", "argsrepr", "kwargsrepr", "origin",
                "ignore_result");
        assertThat(m.headers()).containsEntry("lang", "py").containsEntry("task", "proj.add").containsEntry("id", ID)
                .containsEntry("root_id", ID).containsEntry("retries", 0L).containsEntry("argsrepr", "(2, 3)")
                .containsEntry("kwargsrepr", "{'z': 1}").containsEntry("origin", "gen1234@host")
                .containsEntry("ignore_result", false).containsEntry("timelimit", Arrays.asList(null, null));
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(m.correlationId()).isEqualTo(ID);
        assertThat(m.replyTo()).isEqualTo("f505baae-7c7a-3510-b867-61a46fba8b03");
        assertThat(m.deliveryMode()).isEqualTo(2);
        assertThat(m.priority()).isZero();
        assertThat(m.expiration()).isNull();
    }

    @Test
    void customHeadersGoAfterTheKnownOnesAndAKnownOneCannotBeAnExtra() {
        Message m = TaskMessage.builder().task("proj.add").extraHeader("x-custom", "v1").build().toMessage();
        assertThat(List.copyOf(m.headers().keySet())).endsWith("ignore_result", "x-custom");
        assertThatThrownBy(() -> TaskMessage.builder().task("t").extraHeader("retries", 3L).build())
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("'retries'");
    }

    @Test
    void readsAndRewritesTheCapturedChainBodyByteForByte() {
        String body = "[[1, 2], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": [{\"task\": \"proj.add\", "
                + "\"args\": [4], \"kwargs\": {}, \"options\": {\"task_id\": \"6e994aff-00a4-4975-b033-1250732b315d\", "
                + "\"reply_to\": \"07a5d7fe-3ede-35bb-9975-89bbc33905e2\"}, \"subtask_type\": null, \"immutable\": false}, "
                + "{\"task\": \"proj.add\", \"args\": [3], \"kwargs\": {}, \"options\": {\"task_id\": "
                + "\"28c3fb25-4aa5-448e-bb0e-2b35200828be\", \"reply_to\": \"07a5d7fe-3ede-35bb-9975-89bbc33905e2\"}, "
                + "\"subtask_type\": null, \"immutable\": false}], \"chord\": null}]";
        Message in = Message.builder().body(body).headers(headers("proj.add", ID)).correlationId(ID).build();

        TaskMessage t = TaskMessage.fromMessage(in);

        assertThat(t.chain()).hasSize(2);
        assertThat(t.chain().get(1).args()).containsExactly(3L);
        assertThat(t.chain().get(0).taskId()).isEqualTo("6e994aff-00a4-4975-b033-1250732b315d");
        assertThat(t.callbacks()).isNull();
        assertThat(t.toMessage().bodyAsString()).isEqualTo(body);
        assertThat(t.toMessage().headers()).isEqualTo(in.headers());
    }

    @Test
    void readsLinkAndLinkErrorAndAChordBody() {
        String body = "[[0, 0], {}, {\"callbacks\": [{\"task\": \"proj.add\", \"args\": [10], \"kwargs\": {}, "
                + "\"options\": {}, \"subtask_type\": null, \"immutable\": false}], \"errbacks\": [{\"task\": "
                + "\"proj.tsum\", \"args\": [[1]], \"kwargs\": {}, \"options\": {}, \"subtask_type\": null, "
                + "\"immutable\": true}], \"chain\": null, \"chord\": {\"task\": \"proj.tsum\", \"args\": [], "
                + "\"kwargs\": {}, \"options\": {\"task_id\": \"7db1b348\"}, \"subtask_type\": null, "
                + "\"immutable\": false, \"chord_size\": 3}}]";
        TaskMessage t = TaskMessage.fromMessage(Message.builder().body(body).headers(headers("proj.add", ID)).build());

        assertThat(t.callbacks()).containsExactly(Signature.of("proj.add", 10L));
        assertThat(t.errbacks().get(0).immutable()).isTrue();
        assertThat(t.errbacks().get(0).args()).containsExactly(List.of(1L));
        assertThat(t.chord().taskId()).isEqualTo("7db1b348");
        assertThat(t.chord().extra()).containsEntry("chord_size", 3L);
        assertThat(t.toMessage().bodyAsString()).isEqualTo(body);
    }

    @Test
    void keepsUnknownHeadersAndPropertiesThroughARoundTrip() {
        Map<String, Object> h = headers("proj.add", ID);
        h.put("stamped_headers", List.of("a"));
        h.put("stamps", Map.of("a", "b"));
        h.put("redelivered", true);
        Message in = Message.builder().body("[[], {}, {}]").headers(h).priority(7).replyTo("oid").expiration("60000")
                .correlationId(ID).build();

        TaskMessage t = TaskMessage.fromMessage(in);

        assertThat(t.extraHeaders()).containsOnlyKeys("stamped_headers", "stamps", "redelivered");
        Message out = t.toMessage();
        assertThat(out.headers()).isEqualTo(in.headers());
        assertThat(out.priority()).isEqualTo(7);
        assertThat(out.replyTo()).isEqualTo("oid");
        assertThat(out.expiration()).isEqualTo("60000");
    }

    @Test
    void expiresInSetsTheHeaderAndTheExpirationPropertyAsCeleryDoes() {
        Instant now = Instant.parse("2026-12-07T01:54:21.018989Z");
        TaskMessage t = TaskMessage.builder().task("proj.add").expiresIn(Duration.ofSeconds(60), now)
                .eta(now.plusSeconds(10)).build();

        assertThat(t.expiresText()).isEqualTo("2026-12-07T01:55:21.018989+00:00");
        assertThat(t.expiration()).isEqualTo("60000");
        assertThat(t.etaText()).isEqualTo("2026-12-07T01:54:31.018989+00:00");
        assertThat(t.isExpiredAt(now)).isFalse();
        assertThat(t.isExpiredAt(now.plusSeconds(60))).isTrue();
    }

    @Test
    void readsProtocolOne() {
        String body = "{\"task\": \"proj.add\", \"id\": \"" + ID + "\", \"args\": [2, 3], \"kwargs\": {}, "
                + "\"retries\": 1, \"eta\": \"2026-12-07T01:59:20\", \"expires\": null, \"utc\": true}";
        TaskMessage t = TaskMessage.fromMessage(Message.builder().body(body).headers(Map.of()).build());

        assertThat(t.task()).isEqualTo("proj.add");
        assertThat(t.id()).isEqualTo(ID);
        assertThat(t.args()).containsExactly(2L, 3L);
        assertThat(t.retries()).isEqualTo(1);
        assertThat(t.eta()).isEqualTo(Instant.parse("2026-12-07T01:59:20Z"));
    }

    @Test
    void badMessagesGetTypedErrorsNamingTheProblem() {
        assertThatThrownBy(() -> TaskMessage.fromMessage(Message.builder().body("[[], {}, {}]")
                .headers(Map.of("task", "proj.add")).build()))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("'id' header is missing");
        assertThatThrownBy(() -> TaskMessage.fromMessage(Message.builder().body("{\"a\": 1}")
                .headers(headers("proj.add", ID)).build()))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("[args, kwargs, embed]");
        assertThatThrownBy(() -> TaskMessage.fromMessage(Message.builder().body("[[], {}, {}")
                .headers(headers("proj.add", ID)).build()))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> TaskMessage.fromMessage(Message.builder().body("x")
                .contentType("application/x-python-serialize").headers(headers("proj.add", ID)).build()))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("application/x-python-serialize");
        Map<String, Object> h = headers("proj.add", ID);
        h.put("eta", "tomorrow");
        assertThatThrownBy(() -> TaskMessage.fromMessage(Message.builder().body("[[], {}, {}]").headers(h).build()))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("'tomorrow'");
        assertThatThrownBy(() -> TaskMessage.builder().build())
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("task name");
        assertThatThrownBy(() -> TaskMessage.builder().task("t").args(new Object()).build().toMessage())
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("cannot be sent as JSON");
    }

    @Test
    void reprsMatchCelerysSaferepr() {
        assertThat(TaskMessage.argsRepr(List.of("é", "✓"))).isEqualTo("('é', '✓')");
        assertThat(TaskMessage.argsRepr(Arrays.asList(1.5, null, true, List.of(1L, "x"), Map.of("a", 2L))))
                .isEqualTo("(1.5, None, True, [1, 'x'], {'a': 2})");
        assertThat(TaskMessage.argsRepr(List.of("a"))).isEqualTo("('a',)");
        assertThat(TaskMessage.argsRepr(List.of())).isEqualTo("()");
        assertThat(TaskMessage.argsRepr(List.of("x".repeat(5000)))).hasSize(TaskMessage.REPR_MAX_SIZE).endsWith("...");
        Map<String, Object> kw = new LinkedHashMap<>();
        kw.put("z", 1L);
        assertThat(TaskMessage.kwargsRepr(kw)).isEqualTo("{'z': 1}");
        assertThat(TaskMessage.defaultOrigin()).startsWith("gen" + ProcessHandle.current().pid() + "@");
    }

    @Test
    void nonAsciiArgumentsAreEscapedAsPythonDoes() {
        Message m = TaskMessage.builder().task("t").args("é", "✓").build().toMessage();
        assertThat(new String(m.body(), StandardCharsets.US_ASCII)).startsWith("[[\"\\u00e9\", \"\\u2713\"], {}");
        assertThat(TaskMessage.fromMessage(m).args()).containsExactly("é", "✓");
    }

    @Test
    void timesAreFormattedAndParsedAsCeleryDoes() {
        assertThat(CeleryTimes.format(Instant.parse("2026-12-07T01:59:20Z"))).isEqualTo("2026-12-07T01:59:20+00:00");
        assertThat(CeleryTimes.format(Instant.parse("2026-12-07T01:54:30.410386789Z")))
                .isEqualTo("2026-12-07T01:54:30.410386+00:00");
        assertThat(CeleryTimes.parse("2026-12-07T02:59:20+01:00")).isEqualTo(Instant.parse("2026-12-07T01:59:20Z"));
        assertThat(CeleryTimes.parse("2026-12-07T01:59:20.5Z")).isEqualTo(Instant.parse("2026-12-07T01:59:20.500Z"));
        assertThat(CeleryTimes.parse("2026-12-07 01:59:20")).isEqualTo(Instant.parse("2026-12-07T01:59:20Z"));
    }

    @Test
    void oidIsKombusUuid3() {
        // Python: str(uuid.uuid3(uuid.NAMESPACE_OID, '1a-4d2-7b-3039'))
        assertThat(Oid.generate(0x1a, 0x4d2, 0x7b, 0x3039)).isEqualTo("e370ba92-a0ba-3b2e-bac8-3f325ee3aa8b");
    }

    @Test
    void signatureRoundTripsThroughCeleryJson() {
        Signature s = Signature.of("proj.add", 2L).withOption("task_id", "abc").immutableCopy();
        assertThat(s.toJson()).isEqualTo("{\"task\": \"proj.add\", \"args\": [2], \"kwargs\": {}, \"options\": "
                + "{\"task_id\": \"abc\"}, \"subtask_type\": null, \"immutable\": true}");
        assertThat(Signature.fromJson(s.toJson())).isEqualTo(s);
        assertThat(Signature.fromMap(CeleryJson.decode(s.toJson()))).isEqualTo(s);
        assertThatThrownBy(() -> Signature.fromJson("{\"args\": []}"))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("'task'");
        assertThatThrownBy(() -> Signature.fromJson("[1]"))
                .isInstanceOf(InvalidTaskMessageException.class).hasMessageContaining("JSON object");
    }

    private static Map<String, Object> headers(String task, String id) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lang", "py");
        h.put("task", task);
        h.put("id", id);
        h.put("shadow", null);
        h.put("eta", null);
        h.put("expires", null);
        h.put("group", null);
        h.put("group_index", null);
        h.put("retries", 0L);
        h.put("timelimit", Arrays.asList(null, null));
        h.put("root_id", id);
        h.put("parent_id", null);
        h.put("argsrepr", "(2, 3)");
        h.put("kwargsrepr", "{}");
        h.put("origin", "gen1234@host");
        h.put("ignore_result", false);
        return h;
    }
}
