package io.celeriac.monitor;

import io.celeriac.client.CeleryClient;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import io.celeriac.worker.TaskError;
import io.celeriac.worker.TaskRegistry;
import io.celeriac.worker.Worker;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * A live cluster for the monitor's tests: a leased Redis database as broker and result backend, a Java worker
 * sending events (heartbeat every second) on its own queue, and a client that sends tasks with task-sent events.
 * Tasks: {@code mon.add(x, y)}, {@code mon.fail(why)} (a ValueError), {@code mon.echo(value)}.
 */
final class LiveCluster implements AutoCloseable {
    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final String queue = "mon-" + tag;
    /** A queue nobody consumes, for the depth checks. */
    final String idleQueue = "mon-idle-" + tag;
    final String node = "javaw-" + tag + "@montest";
    final RedisTestServer.DatabaseLease lease;
    final Worker worker;
    final CeleryClient client;

    LiveCluster() {
        lease = TestServices.redis().leaseDatabase();
        TaskRegistry tasks = new TaskRegistry()
                .register("mon.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class))
                .register("mon.fail", ctx -> {
                    throw TaskError.builtin("ValueError", ctx.arg(0, String.class));
                })
                .register("mon.echo", ctx -> ctx.arg(0, Object.class));
        Worker w = null;
        CeleryClient c = null;
        try {
            w = Worker.builder().brokerUrl(url()).backendUrl(url()).tasks(tasks).queues(List.of(queue))
                    .concurrency(2).sendEvents(true).nodename(node).heartbeatInterval(Duration.ofSeconds(1))
                    .shutdownTimeout(Duration.ofSeconds(5)).build().start();
            c = CeleryClient.builder().brokerUrl(url()).backendUrl(url()).defaultQueue(queue).sendSentEvent(true)
                    .build();
        } catch (RuntimeException e) {
            if (w != null) {
                w.close();
            }
            lease.close();
            throw e;
        }
        worker = w;
        client = c;
    }

    String url() {
        return lease.url();
    }

    /** A monitor builder on this cluster: free port, both queues watched, fast polling, no periodic inspect. */
    Monitor.Builder monitor() {
        return Monitor.builder().brokerUrl(url()).backendUrl(url()).port(0).queues(List.of(queue, idleQueue))
                .queuePollInterval(Duration.ofMillis(300)).inspectInterval(Duration.ZERO);
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            try {
                worker.close();
            } finally {
                lease.close();
            }
        }
    }
}
