package io.celeriac.events.state;

import io.celeriac.events.Event;
import io.celeriac.events.EventReceiverRules;
import io.celeriac.state.LamportClock;
import io.celeriac.tck.MutableClock;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generates a realistic, seeded Celery event stream: workers with heartbeats that go offline and come
 * back, clients sending tasks (some children of others), tasks that succeed, fail, retry (on another worker),
 * are revoked or rejected, report custom progress or are cancelled; events of an unknown group; a few
 * malformed events. Each event is delivered after a random delay, so a share arrives out of order (some
 * seconds late) and a few twice. The delivered bodies go through {@link EventReceiverRules} with a clock
 * set to the delivery time, as a live receiver would apply them.
 */
final class ClusterSimulator {

    static final double START = 1_795_263_400.0;

    private final Random rnd;
    private final List<Pending> emitted = new ArrayList<>();
    private final List<Proc> workers = new ArrayList<>();
    private final List<Proc> clients = new ArrayList<>();
    private final List<Task> inFlight = new ArrayList<>();
    private final List<Task> all = new ArrayList<>();
    private double now = START;
    private int seq;
    private int taskSeq;
    private final boolean malformed;
    private final double skew;

    private static final String[] NAMES = {"proj.add", "proj.mul", "proj.fetch", "proj.report"};

    private static final class Proc {
        final String hostname;
        final long pid;
        long clock;
        boolean online;
        double nextBeat;
        int processed;
        final double skew;

        Proc(String hostname, long pid, double skew) {
            this.hostname = hostname;
            this.pid = pid;
            this.skew = skew;
        }
    }

    private static final class Task {
        final String uuid;
        final String name;
        final String parentId;
        final String rootId;
        int retries;
        int stage; // 0 sent, 1 received, 2 started
        Proc worker;

        Task(String uuid, String name, String parentId, String rootId) {
            this.uuid = uuid;
            this.name = name;
            this.parentId = parentId;
            this.rootId = rootId;
        }
    }

    private record Pending(double deliverAt, int seq, Map<String, Object> body) {
    }

    /**
     * @param seed the random seed
     * @param malformed whether to include a few malformed events
     * @param skew seconds by which one worker's clock is off (its timestamps differ from receive times)
     */
    ClusterSimulator(long seed, boolean malformed, double skew) {
        this.rnd = new Random(seed);
        this.malformed = malformed;
        this.skew = skew;
        for (int i = 1; i <= 3; i++) {
            workers.add(new Proc("w" + i + "@sim", 100 + i, i == 3 ? skew : 0));
        }
        clients.add(new Proc("gen901@sim", 901, 0));
        clients.add(new Proc("gen902@sim", 902, 0));
    }

    /**
     * Runs the simulation for {@code steps} steps and delivers the events.
     *
     * @return the events as received, in delivery order
     */
    List<Event> run(int steps) {
        for (Proc w : workers) {
            if (rnd.nextDouble() < 0.8) {
                online(w);
            }
        }
        for (int step = 0; step < steps; step++) {
            now += 0.02 + rnd.nextDouble() * 0.1;
            for (Proc w : workers) {
                if (w.online && now >= w.nextBeat) {
                    workerEvent(w, "worker-heartbeat");
                    w.nextBeat = now + 2.0;
                }
            }
            double r = rnd.nextDouble();
            if (r < 0.30) {
                newTask();
            } else if (r < 0.90) {
                if (!inFlight.isEmpty()) {
                    advance(inFlight.get(rnd.nextInt(inFlight.size())));
                }
            } else if (r < 0.93) {
                Proc w = workers.get(rnd.nextInt(workers.size()));
                if (w.online) {
                    workerEvent(w, "worker-offline");
                    w.online = false;
                } else {
                    online(w);
                }
            } else if (r < 0.95) {
                Map<String, Object> b = body(clients.get(0), "custom-audit");
                b.put("what", "audit-" + step);
                emit(b);
            } else if (r < 0.96 && malformed) {
                Map<String, Object> b = body(workers.get(0), "task-started");
                b.put("uuid", all.isEmpty() ? "t-nobody" : all.get(rnd.nextInt(all.size())).uuid);
                emit(b);
                b.put("__drop_clock__", true);
            } else if (r < 0.97 && malformed) {
                Map<String, Object> b = body(workers.get(1), "worker-heartbeat");
                b.put("__drop_timestamp__", true);
                emit(b);
            }
        }
        return deliver();
    }

    private void online(Proc w) {
        w.online = true;
        workerEvent(w, "worker-online");
        w.nextBeat = now + 2.0;
    }

    private void workerEvent(Proc w, String type) {
        Map<String, Object> b = body(w, type);
        b.put("freq", 2.0);
        b.put("active", (long) rnd.nextInt(4));
        b.put("processed", (long) w.processed);
        b.put("loadavg", List.of(round(rnd.nextDouble() * 2), round(rnd.nextDouble()), round(rnd.nextDouble())));
        b.put("sw_ident", "py-celery");
        b.put("sw_ver", "5.2.6");
        b.put("sw_sys", "Linux");
        emit(b);
    }

    private static double round(double d) {
        return Math.ceil(d * 100) / 100;
    }

    private Proc onlineWorker() {
        List<Proc> on = new ArrayList<>();
        for (Proc w : workers) {
            if (w.online) {
                on.add(w);
            }
        }
        return on.isEmpty() ? workers.get(rnd.nextInt(workers.size())) : on.get(rnd.nextInt(on.size()));
    }

    private void newTask() {
        String uuid = "t" + (++taskSeq) + "-" + Long.toHexString(rnd.nextLong() & 0xffffffL);
        Task parent = !all.isEmpty() && rnd.nextDouble() < 0.3 ? all.get(rnd.nextInt(all.size())) : null;
        Task t = new Task(uuid, NAMES[rnd.nextInt(NAMES.length)], parent == null ? null : parent.uuid,
                parent == null ? uuid : parent.rootId);
        all.add(t);
        inFlight.add(t);
        Map<String, Object> b = body(clients.get(rnd.nextInt(clients.size())), "task-sent");
        b.put("uuid", uuid);
        b.put("root_id", t.rootId);
        b.put("parent_id", t.parentId);
        b.put("name", t.name);
        b.put("args", "(" + rnd.nextInt(100) + ", " + rnd.nextInt(100) + ")");
        b.put("kwargs", "{}");
        b.put("retries", 0L);
        b.put("eta", null);
        b.put("expires", rnd.nextDouble() < 0.2 ? "2026-11-21T12:00:00+00:00" : null);
        b.put("queue", "celery");
        b.put("exchange", "");
        b.put("routing_key", "celery");
        emit(b);
    }

    private void advance(Task t) {
        if (t.stage == 0) {
            t.worker = onlineWorker();
            Map<String, Object> b = taskBody(t, "task-received");
            b.put("name", t.name);
            b.put("args", "(1, 2)");
            b.put("kwargs", "{}");
            b.put("root_id", t.rootId);
            b.put("parent_id", t.parentId);
            b.put("retries", (long) t.retries);
            b.put("eta", null);
            b.put("expires", null);
            emit(b);
            t.worker.processed++;
            t.stage = 1;
            if (rnd.nextDouble() < 0.04) {
                Map<String, Object> rj = taskBody(t, "task-rejected");
                rj.put("requeue", rnd.nextBoolean());
                emit(rj);
                inFlight.remove(t);
            } else if (rnd.nextDouble() < 0.03) {
                revoke(t);
            }
            return;
        }
        if (t.stage == 1) {
            emit(taskBody(t, "task-started"));
            t.stage = 2;
            return;
        }
        double r = rnd.nextDouble();
        if (r < 0.15) {
            Map<String, Object> b = taskBody(t, "task-progress");
            b.put("current", (long) rnd.nextInt(100));
            b.put("total", 100L);
            emit(b);
        } else if (r < 0.60) {
            Map<String, Object> b = taskBody(t, "task-succeeded");
            b.put("result", String.valueOf(rnd.nextInt(1000)));
            b.put("runtime", rnd.nextDouble());
            emit(b);
            inFlight.remove(t);
        } else if (r < 0.72) {
            Map<String, Object> b = taskBody(t, "task-failed");
            b.put("exception", "ValueError('boom " + t.uuid + "')");
            b.put("traceback", "Traceback (most recent call last):\nValueError: boom\n");
            emit(b);
            inFlight.remove(t);
        } else if (r < 0.88) {
            Map<String, Object> b = taskBody(t, "task-retried");
            b.put("exception", "Retry('in 1s')");
            b.put("traceback", "Traceback (most recent call last):\nRetry: in 1s\n");
            emit(b);
            t.retries++;
            t.stage = 0;
        } else if (r < 0.94) {
            revoke(t);
        } else {
            emit(taskBody(t, "task-cancelled"));
            inFlight.remove(t);
        }
    }

    private void revoke(Task t) {
        Map<String, Object> b = taskBody(t, "task-revoked");
        boolean terminated = rnd.nextBoolean();
        b.put("terminated", terminated);
        b.put("signum", terminated ? "15" : null);
        b.put("expired", false);
        emit(b);
        inFlight.remove(t);
    }

    private Map<String, Object> taskBody(Task t, String type) {
        Map<String, Object> b = body(t.worker, type);
        b.put("uuid", t.uuid);
        return b;
    }

    private Map<String, Object> body(Proc p, String type) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("hostname", p.hostname);
        b.put("utcoffset", 0L);
        b.put("pid", p.pid);
        b.put("clock", ++p.clock);
        b.put("__type__", type);
        b.put("__ts__", now + p.skew);
        return b;
    }

    private void emit(Map<String, Object> b) {
        double r = rnd.nextDouble();
        // the events that end or begin an attempt are held up more often, so that a retried task's first
        // attempt sometimes reports after its next attempt
        Object type = b.get("__type__");
        double late = "task-retried".equals(type) || "task-started".equals(type) ? 0.80 : 0.95;
        double delay = r < 0.80 ? 0.001 + rnd.nextDouble() * 0.01
                : r < late ? 0.05 + rnd.nextDouble() * 0.5 : 1 + rnd.nextDouble() * 6;
        emitted.add(new Pending(now + delay, seq++, b));
        if (rnd.nextDouble() < 0.01) {
            emitted.add(new Pending(now + delay + 0.3, seq++, b)); // delivered twice
        }
    }

    private List<Event> deliver() {
        emitted.sort(Comparator.comparingDouble(Pending::deliverAt).thenComparingInt(Pending::seq));
        MutableClock wall = MutableClock.atEpochSeconds(START);
        EventReceiverRules rules = new EventReceiverRules(new LamportClock(), wall, ZoneOffset.UTC, true);
        List<Event> out = new ArrayList<>();
        for (Pending p : emitted) {
            Map<String, Object> b = new LinkedHashMap<>(p.body());
            String type = (String) b.remove("__type__");
            double ts = (Double) b.remove("__ts__");
            boolean dropClock = b.remove("__drop_clock__") != null;
            boolean dropTs = b.remove("__drop_timestamp__") != null;
            if (!dropTs) {
                b.put("timestamp", ts);
            }
            b.put("type", type);
            wall.set(java.time.Instant.ofEpochSecond(0, Math.round(p.deliverAt() * 1e9)));
            Event e = rules.receive(b);
            if (dropClock) {
                Map<String, Object> f = new LinkedHashMap<>(e.fields());
                f.remove("clock");
                e = new Event(e.type(), f);
            }
            out.add(e);
        }
        return out;
    }

    /** @return when the last event was delivered */
    double lastDelivery() {
        double last = START;
        for (Pending p : emitted) {
            last = Math.max(last, p.deliverAt());
        }
        return last;
    }
}
