package io.celeriac.control;

import io.celeriac.broker.Message;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The request message byte for byte as kombu 5.2 sends it (celery-broker-wire.md §3), and reading it back. */
class ControlRequestTest {

    private static final String TICKET = "3bc95c9f-a112-4aa4-b2b3-e0d0934c35c3";
    private static final String OID = "08e4c9b4-652e-39d7-8531-2bc114b691a9";

    @Test
    void aCallIsKombusBodyWithClockAndExpiresHeaders() {
        ControlRequest r = new ControlRequest("ping", Map.of(), null, null, null, TICKET,
                new ControlRequest.ReplyTo("reply.celery.pidbox", OID));
        Message m = r.toMessage(1, 1796608836.7318265);
        assertThat(m.bodyAsString()).isEqualTo("{\"method\": \"ping\", \"arguments\": {}, \"destination\": null, "
                + "\"pattern\": null, \"matcher\": null, \"ticket\": \"" + TICKET + "\", \"reply_to\": "
                + "{\"exchange\": \"reply.celery.pidbox\", \"routing_key\": \"" + OID + "\"}}");
        assertThat(m.headers()).containsExactly(Map.entry("clock", 1L), Map.entry("expires", 1796608836.7318265));
        assertThat(m.deliveryMode()).isEqualTo(Message.PERSISTENT);
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(ControlRequest.fromMessage(m)).isEqualTo(r);
    }

    @Test
    void aCastHasNoTicketNorReplyToAndExpiresZeroWithoutTimeout() {
        ControlRequest r = new ControlRequest("heartbeat", null, null, null, null, null, null);
        Message m = r.toMessage(7, null);
        assertThat(m.bodyAsString()).isEqualTo("{\"method\": \"heartbeat\", \"arguments\": {}, \"destination\": null, "
                + "\"pattern\": null, \"matcher\": null}");
        assertThat(m.header("expires")).isEqualTo(0L);
        ControlRequest back = ControlRequest.fromMessage(m);
        assertThat(back.wantsReply()).isFalse();
        assertThat(back.ticket()).isNull();
    }

    @Test
    void readsWhatCeleryCommandLineAndAppControlSend() {
        Message cli = Message.builder().body("{\"method\": \"revoke\", \"arguments\": {\"task_id\": "
                + "[\"af1da09f-3823-4976-b2cf-2cf8dc3da132\"]}, \"destination\": [\"worker1@host\"], \"pattern\": null, "
                + "\"matcher\": null, \"ticket\": \"t\", \"reply_to\": {\"exchange\": \"reply.celery.pidbox\", "
                + "\"routing_key\": \"k\"}}").build();
        ControlRequest r = ControlRequest.fromMessage(cli);
        assertThat(r.method()).isEqualTo("revoke");
        assertThat(r.arguments()).containsEntry("task_id", List.of("af1da09f-3823-4976-b2cf-2cf8dc3da132"));
        assertThat(r.destination()).containsExactly("worker1@host");
        assertThat(r.replyTo()).isEqualTo(new ControlRequest.ReplyTo("reply.celery.pidbox", "k"));
        assertThat(r.isFor("worker1@host")).isTrue();
        assertThat(r.isFor("worker2@host")).isFalse();

        Message api = Message.builder().body("{\"method\": \"revoke\", \"arguments\": {\"task_id\": \"f9\", "
                + "\"terminate\": true, \"signal\": \"SIGKILL\"}, \"destination\": [], \"pattern\": null, "
                + "\"matcher\": null}").build();
        ControlRequest a = ControlRequest.fromMessage(api);
        assertThat(a.arguments()).containsExactly(Map.entry("task_id", "f9"), Map.entry("terminate", true),
                Map.entry("signal", "SIGKILL"));
        assertThat(a.destination()).as("an empty destination is every node, as in kombu").isNull();
        assertThat(a.isFor("anyone@host")).isTrue();
    }

    @Test
    void malformedRequestsAreTypedErrors() {
        for (String body : List.of("[1, 2]", "not json", "{\"arguments\": {}}", "{\"method\": 1}",
                "{\"method\": \"ping\", \"arguments\": [1]}", "{\"method\": \"ping\", \"destination\": \"w@h\"}",
                "{\"method\": \"ping\", \"destination\": [1]}", "{\"method\": \"ping\", \"reply_to\": {\"exchange\": 1}}",
                "{\"method\": \"ping\", \"pattern\": 5}")) {
            assertThatThrownBy(() -> ControlRequest.fromMessage(Message.builder().body(body).build())).as(body)
                    .isInstanceOf(MalformedControlRequestException.class)
                    .hasMessageStartingWith("Malformed remote-control request: ");
        }
        assertThatThrownBy(() -> ControlRequest.fromMessage(Message.builder().contentType("application/x-python-serialize")
                .body("x").build())).isInstanceOf(MalformedControlRequestException.class).hasMessageContaining("content type");
        assertThatThrownBy(() -> new ControlRequest("", Map.of(), null, null, null, null, null))
                .isInstanceOf(MalformedControlRequestException.class);
        assertThatThrownBy(() -> new ControlRequest("ping", Map.of("x", new Object()), null, null, null, null, null))
                .isInstanceOf(MalformedControlRequestException.class);
        assertThatThrownBy(() -> new ControlRequest("ping", null, Arrays.asList("a@b", null), null, null, null, null))
                .isInstanceOf(MalformedControlRequestException.class);
        assertThatThrownBy(() -> new ControlRequest("ping", null, null, null, null, "ticket", null))
                .isInstanceOf(MalformedControlRequestException.class);
    }

    @Test
    void patternsMatchAsKombusGlobAndPcre() {
        assertThat(matches("worker1@host", "worker*@host", "glob")).isTrue();
        assertThat(matches("worker1@host", "worker?@host", "glob")).isTrue();
        assertThat(matches("worker12@host", "worker?@host", "glob")).isFalse();
        assertThat(matches("worker1@host", "worker[0-9]@*", "glob")).isTrue();
        assertThat(matches("workerx@host", "worker[!0-9]@*", "glob")).isTrue();
        assertThat(matches("worker1@host", "worker[!0-9]@*", "glob")).isFalse();
        assertThat(matches("a.b@host", "a.b@host", "glob")).isTrue();
        assertThat(matches("axb@host", "a.b@host", "glob")).as("a dot is literal in a glob").isFalse();
        assertThat(matches("[x@host", "[x@host", "glob")).as("an unclosed [ is literal").isTrue();
        assertThat(matches("worker1@host", "worker", "glob")).as("a glob matches the whole name").isFalse();
        assertThat(matches("worker1@host", "worker", "pcre")).as("pcre is re.match: anchored at the start only")
                .isTrue();
        assertThat(matches("worker1@host", "host", "pcre")).isFalse();
        assertThat(matches("worker1@host", "w.*[0-9]@h", "pcre")).isTrue();
        assertThatThrownBy(() -> matches("w@h", "x", "regex")).isInstanceOf(MalformedControlRequestException.class)
                .hasMessageContaining("not installed");
        assertThatThrownBy(() -> matches("w@h", "(", "pcre")).isInstanceOf(MalformedControlRequestException.class);
        // a pattern counts only with a matcher, and a destination wins over both
        assertThat(new ControlRequest("ping", null, null, "nobody", null, null, null).isFor("w@h")).isTrue();
        assertThat(new ControlRequest("ping", null, List.of("w@h"), "nobody", "glob", null, null).isFor("w@h")).isTrue();
    }

    private static boolean matches(String node, String pattern, String matcher) {
        return new ControlRequest("ping", null, null, pattern, matcher, null, null).isFor(node);
    }

    @Test
    void repliesReadOkAndError() {
        ControlReply ok = new ControlReply("w@h", Map.of("ok", "pong"));
        assertThat(ok.isError()).isFalse();
        assertThat(ok.ok()).isEqualTo("pong");
        assertThat(ok.error()).isNull();
        ControlReply err = new ControlReply("w@h", Map.of("error", "KeyError('x')"));
        assertThat(err.isError()).isTrue();
        assertThat(err.error()).isEqualTo("KeyError('x')");
        assertThat(new ControlReply("w@h", List.of("a")).isError()).isFalse();
        assertThat(ControlReply.repr(Map.of("a", List.of(1L, true)))).isEqualTo("{'a': [1, True]}");
    }
}
