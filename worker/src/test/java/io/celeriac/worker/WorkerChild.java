package io.celeriac.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A worker in a child JVM for the fault tests, built from its arguments:
 * {@code --broker URL --backend URL --queue Q --node NAME [--statedb PATH] [--acks-late] [--concurrency N]}.
 * It runs {@code crash.hold(gate)}, which prints {@code started <id>} and waits until the file {@code gate} exists,
 * and {@code crash.add(x, y)}; each finished run prints {@code ran <name> <id>}. It prints {@code ready <node>} once
 * it consumes and then runs until killed (or a remote shutdown).
 */
public final class WorkerChild {

    private WorkerChild() {
    }

    /**
     * Starts the worker.
     *
     * @param args see the class documentation
     * @throws Exception when it cannot start
     */
    public static void main(String[] args) throws Exception {
        Worker.Builder b = Worker.builder().trackStarted(true).concurrency(2)
                .heartbeatInterval(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5));
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--broker" -> b.brokerUrl(args[++i]);
                case "--backend" -> b.backendUrl(args[++i]);
                case "--queue" -> b.queues(List.of(args[++i])).defaultQueue(args[i]);
                case "--node" -> b.nodename(args[++i]);
                case "--statedb" -> b.stateDb(args[++i]);
                case "--acks-late" -> b.acksLate(true);
                case "--concurrency" -> b.concurrency(Integer.parseInt(args[++i]));
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        b.task("crash.hold", ctx -> {
            say("started " + ctx.id());
            Path gate = Path.of(ctx.arg(0, String.class));
            while (!Files.exists(gate)) {
                Thread.sleep(20);
            }
            say("ran crash.hold " + ctx.id());
            return "released";
        });
        b.task("crash.add", ctx -> {
            long sum = ctx.arg(0, Long.class) + ctx.arg(1, Long.class);
            say("ran crash.add " + ctx.id());
            return sum;
        });
        Worker worker = b.build().start();
        say("ready " + worker.nodename());
        worker.awaitTermination(Duration.ofDays(1));
    }

    private static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
