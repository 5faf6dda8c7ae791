package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.broker.Broker;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.TaskFailedException;
import io.celeriac.client.canvas.Chain;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.task.Signature;
import io.celeriac.worker.TaskError;
import io.celeriac.worker.TaskRegistry;
import io.celeriac.worker.Worker;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The demo's task part: a Java worker serves tasks that the client sends through the in-process {@code memory://}
 * broker, with the demo's result backend — a value, a chain, a chord, a failure Python would re-raise as
 * {@code ValueError}, a retried task, a burst — and answers a remote-control ping.
 */
final class DemoWorker {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private DemoWorker() {
    }

    private static String scheme(Backend b) {
        String u = b.asUri();
        int i = u.indexOf("://");
        return i < 0 ? u : u.substring(0, i);
    }

    static void run(Celeriac celeriac, Backend backend, String run, int burst, PrintWriter out) {
        TaskRegistry tasks = new TaskRegistry()
                .register("demo.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class))
                .register("demo.sum", ctx -> {
                    long s = 0;
                    for (Object v : ctx.arg(0, List.class)) {
                        s += ((Number) v).longValue();
                    }
                    return s;
                })
                .register("demo.fail", ctx -> {
                    throw TaskError.builtin("ValueError", "bad input " + ctx.arg(0, Object.class));
                })
                .register("demo.flaky", ctx -> {
                    if (ctx.retries() < 2) {
                        throw ctx.retry(Duration.ofMillis(10));
                    }
                    return "ok after " + ctx.retries() + " retries";
                });
        String queue = "demo-" + run;
        try (Broker broker = celeriac.openBroker("memory://demo-" + run);
             Worker worker = Worker.builder().celeriac(celeriac).broker(broker).backend(backend).tasks(tasks)
                     .queues(List.of(queue)).defaultQueue(queue).concurrency(4).nodename("demo@%h").build().start();
             CeleryClient client = CeleryClient.builder().celeriac(celeriac).broker(broker).backend(backend)
                     .defaultQueue(queue).build()) {
            out.println("A Java worker (" + worker.nodename() + ", 4 threads) serves tasks sent through "
                    + broker.asUri() + ":");
            Table t = new Table("SENT", "STATE", "RESULT");
            AsyncResult add = client.send("demo.add", List.of(2, 3), null, SendOptions.none());
            Object five = add.get(WAIT);
            t.row("demo.add(2, 3)", add.state(), five);
            AsyncResult chain = client.send(Chain.of(Signature.of("demo.add", 1, 2), Signature.of("demo.add", 10),
                    Signature.of("demo.add", 100)));
            t.row("add(1, 2) | add(10) | add(100)", "SUCCESS", chain.get(WAIT));
            List<Signature> parts = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                parts.add(Signature.of("demo.add", i, i));
            }
            AsyncResult chord = client.send(Chord.of(Group.of(parts.toArray(new Signature[0])),
                    Signature.of("demo.sum")));
            t.row("chord(add(i, i) for i in 1..10)(sum)", "SUCCESS", chord.get(WAIT));
            AsyncResult fail = client.send("demo.fail", List.of(7), null, SendOptions.none());
            try {
                fail.get(WAIT);
            } catch (TaskFailedException e) {
                t.row("demo.fail(7)", fail.state(), e.excType() + ": " + e.excMessage());
            }
            AsyncResult flaky = client.send("demo.flaky", List.of(), null, SendOptions.none());
            t.row("demo.flaky()", "SUCCESS", flaky.get(WAIT));
            long t0 = System.nanoTime();
            List<CompletableFuture<AsyncResult>> sent = new ArrayList<>();
            for (int i = 0; i < burst; i++) {
                sent.add(client.sendAsync("demo.add", List.of(i, i), null, SendOptions.none()));
            }
            long total = 0;
            for (CompletableFuture<AsyncResult> f : sent) {
                total += ((Number) f.join().get(WAIT)).longValue();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            t.row(burst + " x demo.add(i, i), results in " + scheme(backend), "SUCCESS", "sum " + total + " in " + String.format("%.0f ms (%.0f tasks/s)",
                    secs * 1000, burst / secs));
            t.print(out);
            out.println("Remote control: ping -> " + client.control().ping().ok());
            out.println();
        }
    }
}
