package io.celeriac.benchmarks;

import io.celeriac.broker.Message;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The task message the broker figures publish: a Celery protocol-2 message as Celery 5.2's {@code send_task}
 * sends it (the headers of {@code ../shared/celery-broker-wire.md} §0, {@code correlation_id} = task id,
 * {@code reply_to}, persistent, priority 0), with a JSON body of exactly {@link #BODY_BYTES} bytes, and a fresh
 * task id per message. kombu's figures publish the very same body with the same headers. Thread-safe.
 */
final class TaskMessages {

    /** The body's size, as {@code redis-benchmark -d 200} and PerfTest's {@code -s 200}. */
    static final int BODY_BYTES = 200;

    /** The body: {@code [["xx…x"], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]}. */
    static final String BODY = body(BODY_BYTES);

    private static final String ORIGIN = "gen" + ProcessHandle.current().pid() + "@" + hostname();
    private static final String REPLY_TO = UUID.randomUUID().toString();

    private final Message template;

    /** A source of task messages of {@link #BODY}. */
    TaskMessages() {
        Map<String, Object> h = new LinkedHashMap<>();
        String arg = BODY.substring(3, BODY.indexOf('"', 3));
        h.put("lang", "py");
        h.put("task", "bench.task");
        h.put("id", "");
        h.put("shadow", null);
        h.put("eta", null);
        h.put("expires", null);
        h.put("group", null);
        h.put("group_index", null);
        h.put("retries", 0L);
        h.put("timelimit", new ArrayList<>(Arrays.asList(null, null)));
        h.put("root_id", "");
        h.put("parent_id", null);
        h.put("argsrepr", "('" + arg + "',)");
        h.put("kwargsrepr", "{}");
        h.put("origin", ORIGIN);
        h.put("ignore_result", false);
        template = Message.builder().body(BODY.getBytes(StandardCharsets.UTF_8)).contentType("application/json")
                .contentEncoding("utf-8").headers(h).replyTo(REPLY_TO).deliveryMode(Message.PERSISTENT).priority(0)
                .build();
    }

    /** @return a new message: the template with a fresh task id in {@code id}, {@code root_id} and {@code correlation_id} */
    Message next() {
        String id = UUID.randomUUID().toString();
        return template.toBuilder().header("id", id).header("root_id", id).correlationId(id).build();
    }

    /**
     * The body of Celery's task message for one string argument, padded to {@code bytes}.
     *
     * @param bytes the size, at least 80
     * @return the JSON text, ASCII
     */
    static String body(int bytes) {
        String head = "[[\"";
        String tail = "\"], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]";
        int pad = bytes - head.length() - tail.length();
        if (pad < 1) {
            throw new IllegalArgumentException("a body of " + bytes + " bytes is too short");
        }
        return head + "x".repeat(pad) + tail;
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return ManagementFactory.getRuntimeMXBean().getName();
        }
    }
}
