package io.celeriac.worker.internal;

import io.celeriac.control.ControlHandler;
import io.celeriac.control.ControlReply;
import io.celeriac.control.UnknownControlMethodException;
import io.celeriac.task.CeleryTimes;
import io.celeriac.worker.TaskOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The remote-control commands a Celery worker answers ({@code celery/worker/control.py}), with the same replies.
 */
final class Commands implements ControlHandler {

    private static final String SOFTWARE = "celeriac";

    private final Engine e;

    Commands(Engine engine) {
        this.e = engine;
    }

    @Override
    public Object handle(String method, Map<String, Object> a) {
        return switch (method) {
            case "ping" -> ok("pong");
            case "active", "dump_active" -> infos(e.activeRequests());
            case "reserved", "dump_reserved" -> infos(reservedNotActive());
            case "scheduled", "dump_schedule" -> scheduled();
            case "revoked", "dump_revoked" -> revokedIds();
            case "registered", "dump_tasks" -> registered(Boolean.TRUE.equals(a.get("builtins")));
            case "stats" -> stats();
            case "conf", "dump_conf" -> conf();
            case "query_task" -> queryTask(a.get("ids"));
            case "report" -> ok(report());
            case "clock" -> Map.of("clock", e.clock().forward());
            case "hello" -> hello(a);
            case "revoke" -> revoke(a.get("task_id"), Boolean.TRUE.equals(a.get("terminate")), a.get("signal"));
            case "terminate" -> revoke(a.get("task_id"), true, a.get("signal"));
            case "rate_limit" -> rateLimit(a.get("task_name"), a.get("rate_limit"));
            case "time_limit" -> timeLimit(a.get("task_name"), a.get("hard"), a.get("soft"));
            case "enable_events" -> events(true);
            case "disable_events" -> events(false);
            case "heartbeat" -> heartbeat();
            case "active_queues" -> activeQueues();
            case "add_consumer" -> addConsumer(a.get("queue"));
            case "cancel_consumer" -> cancelConsumer(a.get("queue"));
            case "shutdown" -> shutdown();
            default -> throw new UnknownControlMethodException(method);
        };
    }

    private static Map<String, Object> ok(Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", v);
        return m;
    }

    private static Map<String, Object> error(Object v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", v);
        return m;
    }

    private List<Request> reservedNotActive() {
        List<Request> out = new ArrayList<>(e.reservedRequests());
        out.removeIf(r -> e.active.containsKey(r.id()));
        return out;
    }

    /** Celery's {@code Request.info()}. */
    Map<String, Object> info(Request r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("name", r.name());
        m.put("args", r.msg.args());
        m.put("kwargs", r.msg.kwargs());
        m.put("type", r.name());
        m.put("hostname", e.nodename());
        m.put("time_start", r.timeStart == 0 ? null : r.timeStart);
        m.put("acknowledged", r.settled.get());
        Map<String, Object> di = new LinkedHashMap<>();
        di.put("exchange", r.delivery.exchange() == null ? "" : r.delivery.exchange());
        di.put("routing_key", r.delivery.routingKey() == null ? r.delivery.queue() : r.delivery.routingKey());
        di.put("priority", r.delivery.message().priority());
        di.put("redelivered", r.delivery.redelivered());
        m.put("delivery_info", di);
        m.put("worker_pid", r.timeStart == 0 ? null : e.pid);
        return m;
    }

    private List<Object> infos(Collection<Request> rs) {
        List<Object> out = new ArrayList<>();
        for (Request r : rs) {
            out.add(info(r));
        }
        return out;
    }

    private List<Object> scheduled() {
        List<Object> out = new ArrayList<>();
        for (Request r : e.scheduledRequests()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eta", r.msg.eta() == null ? null : CeleryTimes.format(r.msg.eta()));
            m.put("priority", r.delivery.message().priority());
            m.put("request", info(r));
            out.add(m);
        }
        return out;
    }

    private List<Object> revokedIds() {
        List<Object> out = new ArrayList<>();
        for (String id : e.revoked()) {
            out.add(id);
        }
        return out;
    }

    private List<Object> registered(boolean builtins) {
        List<Object> out = new ArrayList<>();
        for (String n : e.registry().names()) {
            if (builtins || !n.startsWith("celery.")) {
                out.add(n);
            }
        }
        return out;
    }

    private Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> total = new LinkedHashMap<>(e.totals());
        m.put("total", total);
        m.put("pid", e.pid);
        m.put("clock", String.valueOf(e.clock().value()));
        m.put("uptime", Duration.between(e.startedAt, e.s.clock().instant()).toSeconds());
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("implementation", "io.celeriac.worker:ThreadPool");
        pool.put("max-concurrency", e.s.concurrency());
        pool.put("processes", List.of(e.pid));
        pool.put("max-tasks-per-child", "N/A");
        pool.put("put-guarded-by-semaphore", true);
        pool.put("timeouts", List.of(e.s.softTimeLimit() == null ? 0 : e.s.softTimeLimit().toMillis() / 1000.0,
                e.s.timeLimit() == null ? 0 : e.s.timeLimit().toMillis() / 1000.0));
        m.put("pool", pool);
        Map<String, Object> broker = new LinkedHashMap<>();
        broker.put("uri", e.broker().asUri());
        broker.put("transport", Engine.scheme(e.broker().asUri()));
        m.put("broker", broker);
        m.put("prefetch_count", e.prefetchCount());
        Map<String, Object> rusage = new LinkedHashMap<>();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Runtime rt = Runtime.getRuntime();
        rusage.put("utime", cpuSeconds());
        rusage.put("maxrss", (rt.totalMemory()) / 1024);
        rusage.put("threads", threads.getThreadCount());
        rusage.put("heap_used", rt.totalMemory() - rt.freeMemory());
        m.put("rusage", rusage);
        m.put("sw_ident", SOFTWARE);
        m.put("sw_ver", swVersion());
        return m;
    }

    private static double cpuSeconds() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return 0;
    }

    private static String swVersion() {
        String v = Commands.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }

    private Map<String, Object> conf() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker_url", e.broker().asUri());
        m.put("result_backend", e.backend() == null ? null : e.backend().asUri());
        m.put("task_default_queue", e.s.defaultQueue());
        m.put("worker_concurrency", e.s.concurrency());
        m.put("worker_prefetch_multiplier", e.s.prefetchMultiplier());
        m.put("task_acks_late", e.s.acksLate());
        m.put("task_reject_on_worker_lost", e.s.rejectOnWorkerLost());
        m.put("task_track_started", e.s.trackStarted());
        m.put("task_ignore_result", e.s.ignoreResult());
        m.put("task_time_limit", e.s.timeLimit() == null ? null : e.s.timeLimit().toMillis() / 1000.0);
        m.put("task_soft_time_limit", e.s.softTimeLimit() == null ? null : e.s.softTimeLimit().toMillis() / 1000.0);
        m.put("worker_send_task_events", e.taskEvents);
        m.put("worker_state_db", e.s.stateDb());
        return m;
    }

    private Map<String, Object> queryTask(Object ids) {
        Set<String> wanted = new LinkedHashSet<>();
        if (ids instanceof Collection<?> c) {
            c.forEach(x -> wanted.add(String.valueOf(x)));
        } else if (ids != null) {
            wanted.add(String.valueOf(ids));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String id : wanted) {
            Request r;
            String kind;
            if ((r = e.active.get(id)) != null) {
                kind = "active";
            } else if ((r = e.scheduled.get(id)) != null) {
                kind = "scheduled";
            } else if ((r = e.reserved.get(id)) != null) {
                kind = "reserved";
            } else {
                continue;
            }
            out.put(id, List.of(kind, info(r)));
        }
        return out;
    }

    private String report() {
        return "software -> " + SOFTWARE + ":" + swVersion() + " (Java " + Runtime.version() + ")\nplatform -> "
                + System.getProperty("os.name") + " " + System.getProperty("os.arch") + "\nbroker -> "
                + e.broker().asUri() + "\nresults -> " + (e.backend() == null ? "disabled" : e.backend().asUri());
    }

    private Object hello(Map<String, Object> a) {
        Object from = a.get("from_node");
        if (e.nodename().equals(from)) {
            return null;
        }
        if (a.get("revoked") instanceof Map<?, ?> rv) {
            Map<String, Double> entries = new LinkedHashMap<>();
            rv.forEach((k, v) -> {
                if (v instanceof Number n) {
                    entries.put(String.valueOf(k), n.doubleValue());
                }
            });
            e.revoked().update(entries);
        }
        e.revoked().purge();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("revoked", new LinkedHashMap<>(e.revoked().asMap()));
        m.put("clock", e.clock().forward());
        return m;
    }

    private Object revoke(Object taskId, boolean terminate, Object signal) {
        Set<String> ids = new LinkedHashSet<>();
        if (taskId instanceof Collection<?> c) {
            c.forEach(x -> ids.add(String.valueOf(x)));
        } else if (taskId != null) {
            ids.add(String.valueOf(taskId));
        }
        for (String id : ids) {
            e.revoked().add(id);
        }
        if (terminate) {
            String signum = signum(signal);
            List<String> done = new ArrayList<>();
            for (String id : ids) {
                if (e.terminate(id, signum)) {
                    done.add(id);
                }
            }
            if (done.isEmpty()) {
                return ok("terminate: tasks unknown");
            }
            return ok("terminate: " + String.join(", ", done));
        }
        return ok("tasks " + pySet(ids) + " flagged as revoked");
    }

    private static String signum(Object signal) {
        String name = signal == null ? "TERM" : String.valueOf(signal).toUpperCase(java.util.Locale.ROOT);
        if (name.startsWith("SIG")) {
            name = name.substring(3);
        }
        return switch (name) {
            case "KILL", "9" -> "9";
            case "INT", "2" -> "2";
            case "QUIT", "3" -> "3";
            case "HUP", "1" -> "1";
            case "USR1", "10" -> "10";
            default -> "15";
        };
    }

    private static String pySet(Collection<String> ids) {
        if (ids.isEmpty()) {
            return "set()";
        }
        List<String> reprs = new ArrayList<>();
        ids.forEach(i -> reprs.add(ControlReply.repr(i)));
        return "{" + String.join(", ", reprs) + "}";
    }

    private Object rateLimit(Object task, Object rate) {
        String name = task == null ? null : String.valueOf(task);
        if (name == null || e.registry().get(name).isEmpty()) {
            return error("unknown task");
        }
        double perSecond;
        try {
            perSecond = TaskOptions.perSecond(rate == null ? null : String.valueOf(rate));
        } catch (IllegalArgumentException ex) {
            return error("Invalid rate limit string: ValueError(" + ControlReply.repr(ex.getMessage()) + ")");
        }
        e.rateOverrides.put(name, perSecond);
        return ok(perSecond == 0 ? "rate limit disabled successfully" : "new rate limit set successfully");
    }

    private Object timeLimit(Object task, Object hard, Object soft) {
        String name = task == null ? null : String.valueOf(task);
        if (name == null || e.registry().get(name).isEmpty()) {
            return error("unknown task");
        }
        e.limitOverrides.put(name, new Duration[] {
            soft instanceof Number n && n.doubleValue() > 0 ? Args.seconds(n.doubleValue()) : null,
            hard instanceof Number n && n.doubleValue() > 0 ? Args.seconds(n.doubleValue()) : null});
        return ok("time limits set successfully");
    }

    private Object events(boolean on) {
        boolean was = e.taskEvents;
        e.enableEvents(on);
        if (on) {
            return ok(was ? "task events already enabled" : "task events enabled");
        }
        return ok(was ? "task events disabled" : "task events already disabled");
    }

    private Object heartbeat() {
        e.sendHeartbeat();
        return null;
    }

    private Object activeQueues() {
        List<Object> out = new ArrayList<>();
        for (String q : e.consumedQueues()) {
            Map<String, Object> ex = new LinkedHashMap<>();
            ex.put("name", q);
            ex.put("type", "direct");
            ex.put("arguments", null);
            ex.put("durable", true);
            ex.put("passive", false);
            ex.put("auto_delete", false);
            ex.put("delivery_mode", null);
            ex.put("no_declare", false);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", q);
            m.put("exchange", ex);
            m.put("routing_key", q);
            m.put("queue_arguments", null);
            m.put("binding_arguments", null);
            m.put("consumer_arguments", null);
            m.put("durable", true);
            m.put("exclusive", false);
            m.put("auto_delete", false);
            m.put("no_ack", false);
            m.put("alias", null);
            m.put("bindings", List.of());
            m.put("no_declare", null);
            m.put("expires", null);
            m.put("message_ttl", null);
            m.put("max_length", null);
            m.put("max_length_bytes", null);
            m.put("max_priority", null);
            out.add(m);
        }
        return out;
    }

    private Object addConsumer(Object queue) {
        if (queue == null) {
            return error("add_consumer needs a queue");
        }
        String q = String.valueOf(queue);
        if (!e.addQueue(q)) {
            return ok("already consuming from " + ControlReply.repr(q));
        }
        return ok("add consumer " + q);
    }

    private Object cancelConsumer(Object queue) {
        if (queue == null) {
            return error("cancel_consumer needs a queue");
        }
        String q = String.valueOf(queue);
        e.cancelQueue(q);
        return ok("no longer consuming from " + ControlReply.repr(q));
    }

    private Object shutdown() {
        e.shutdownSoon();
        return ok("shutdown");
    }
}
