package io.celeriac.monitor.internal;

import com.sun.net.httpserver.HttpExchange;
import io.celeriac.backend.Backend;
import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.WaitTimeoutException;
import io.celeriac.client.AsyncResult;
import io.celeriac.client.CeleryClient;
import io.celeriac.client.SendOptions;
import io.celeriac.client.control.Replies;
import io.celeriac.client.control.Target;
import io.celeriac.events.EventSource;
import io.celeriac.events.WorkerInfo;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every URL the monitor serves: the UI's pages and assets, Flower's API, the monitor's own API for the UI, the
 * live stream, {@code /metrics} and {@code /healthcheck}. Each request is authenticated first (except the health
 * check, the login form and, when open, the metrics); actions are POSTs, refused in read-only mode and from a
 * foreign {@code Origin}.
 */
final class Routes {
    private static final Logger LOG = LoggerFactory.getLogger(Routes.class);
    private static final String UI = "/io/celeriac/monitor/ui/";
    private static final List<String> PAGES = List.of("/", "/workers", "/tasks", "/queues", "/broker");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=UTF-8", "js",
            "text/javascript; charset=UTF-8", "css", "text/css; charset=UTF-8", "svg", "image/svg+xml");

    private final Settings settings;
    private final MonitorCore core;
    private final CeleryClient client;
    private final EventSource source;
    private final Auth auth;
    private final LiveHub live;
    private final Map<String, byte[]> assets = new ConcurrentHashMap<>();
    private volatile double eventRate;
    private long rateAt = System.currentTimeMillis();
    private long rateCount;

    Routes(Settings settings, MonitorCore core, CeleryClient client, EventSource source) {
        this.settings = settings;
        this.core = core;
        this.client = client;
        this.source = source;
        this.auth = new Auth(settings.user(), settings.password(), settings.token());
        this.live = new LiveHub(core, this::overview);
    }

    /** Once a second: the event rate and the live update. */
    void tick() {
        long now = System.currentTimeMillis();
        long n = core.eventsApplied();
        if (now > rateAt) {
            eventRate = (n - rateCount) * 1000.0 / (now - rateAt);
        }
        rateAt = now;
        rateCount = n;
        live.tick();
    }

    void close() {
        live.close();
    }

    void handle(HttpExchange x) throws IOException {
        Request r;
        try {
            r = new Request(x);
        } catch (Request.HttpError e) {
            x.sendResponseHeaders(e.status, -1);
            x.close();
            return;
        }
        try {
            route(r);
        } catch (Request.HttpError e) {
            r.json(e.status, Map.of("error", e.getMessage()));
        } catch (TaskQuery.BadQueryException e) {
            r.json(400, Map.of("error", e.getMessage()));
        } catch (RuntimeException e) {
            LOG.warn("{} {}: {}", r.method, r.path, e.toString());
            r.json(500, Map.of("error", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage())));
        } finally {
            if (!r.path.equals("/api/monitor/stream")) {
                x.close();
            }
        }
    }

    private void route(Request r) throws IOException {
        String p = r.path;
        if (p.equals("/healthcheck")) {
            r.text(200, "OK");
            return;
        }
        if (p.equals("/login")) {
            login(r);
            return;
        }
        if (p.equals("/static/app.css") || p.equals("/static/favicon.svg")) {
            // the login page's look; no data
            asset(r, p.substring("/static/".length()));
            return;
        }
        if (p.equals("/metrics") && settings.metricsOpen()) {
            metrics(r);
            return;
        }
        if (!auth.allows(r)) {
            refuse(r);
            return;
        }
        if (r.method.equals("POST")) {
            checkOrigin(r);
            post(r);
            return;
        }
        if (!r.method.equals("GET") && !r.method.equals("HEAD")) {
            throw new Request.HttpError(405, "method not allowed");
        }
        if (p.equals("/metrics")) {
            metrics(r);
        } else if (PAGES.contains(p) || p.startsWith("/task/") || p.startsWith("/worker/")) {
            asset(r, "index.html");
        } else if (p.startsWith("/static/")) {
            asset(r, p.substring("/static/".length()));
        } else if (p.equals("/api/workers")) {
            flowerWorkers(r);
        } else if (p.equals("/api/tasks")) {
            TaskQuery q = TaskQuery.parse(r.params, 0);
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map<String, Object> t : core.history().search(q)) {
                out.put((String) t.get("uuid"), t);
            }
            r.json(200, out);
        } else if (p.equals("/api/task/types")) {
            TreeSet<String> names = new TreeSet<>(core.state().taskTypes());
            names.addAll(core.history().names());
            r.json(200, Map.of("task-types", new ArrayList<>(names)));
        } else if (p.startsWith("/api/task/info/")) {
            String id = r.rest("/api/task/info/");
            Map<String, Object> t = core.task(id)
                    .orElseThrow(() -> new Request.HttpError(404, "Unknown task '" + id + "'"));
            r.json(200, TaskViews.info(t));
        } else if (p.startsWith("/api/task/result/")) {
            result(r, r.rest("/api/task/result/"));
        } else if (p.equals("/api/queues/length")) {
            List<Map<String, Object>> qs = new ArrayList<>();
            core.queueStats().forEach((q, v) -> {
                if (v[0] >= 0) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", q);
                    m.put("messages", v[0]);
                    qs.add(m);
                }
            });
            r.json(200, Map.of("active_queues", qs));
        } else if (p.equals("/api/monitor/overview")) {
            r.json(200, overview());
        } else if (p.equals("/api/monitor/tasks")) {
            TaskQuery q = TaskQuery.parse(r.params, 20);
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Map<String, Object> t : core.history().search(q)) {
                rows.add(TaskViews.row(t));
            }
            long cap = 10_000;
            long total = core.history().count(q, cap + 1);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("total", Math.min(total, cap));
            out.put("capped", total > cap);
            out.put("tasks", rows);
            r.json(200, out);
        } else if (p.startsWith("/api/monitor/task/")) {
            taskPage(r, r.rest("/api/monitor/task/"));
        } else if (p.startsWith("/api/monitor/worker/")) {
            workerPage(r, r.rest("/api/monitor/worker/"));
        } else if (p.equals("/api/monitor/series")) {
            r.json(200, core.charts().toMap(System.currentTimeMillis()));
        } else if (p.equals("/api/monitor/stream")) {
            live.subscribe(r);
        } else {
            throw new Request.HttpError(404, "not found");
        }
    }

    private void refuse(Request r) throws IOException {
        boolean page = r.method.equals("GET") && !r.path.startsWith("/api/") && !r.path.equals("/metrics")
                && !r.path.startsWith("/static/");
        if (auth.tokenOnly() && page) {
            r.redirect("/login");
            return;
        }
        r.x.getResponseHeaders().set("WWW-Authenticate", auth.basic()
                ? "Basic realm=\"celeriac monitor\", charset=\"UTF-8\"" : "Bearer realm=\"celeriac monitor\"");
        r.json(401, Map.of("error", "authentication required"));
    }

    /** A POST from a browser must come from the monitor's own pages. */
    private static void checkOrigin(Request r) {
        String origin = r.header("Origin");
        String host = r.header("Host");
        if (origin == null || origin.equals("null") && host == null) {
            return;
        }
        try {
            URI o = URI.create(origin);
            String authority = o.getRawAuthority();
            if (host != null && host.equalsIgnoreCase(authority)) {
                return;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw new Request.HttpError(403, "cross-origin request refused");
    }

    private void login(Request r) throws IOException {
        if (r.method.equals("POST")) {
            checkOrigin(r);
            String t = r.params.get("token");
            if (t != null && auth.tokenMatches(t)) {
                r.x.getResponseHeaders().add("Set-Cookie", Auth.COOKIE + "=" + t
                        + "; Path=/; HttpOnly; SameSite=Strict");
                r.redirect("/");
            } else {
                r.redirect("/login?failed=1");
            }
            return;
        }
        asset(r, "login.html");
    }

    private void metrics(Request r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        core.metrics().write(out);
        r.send(200, core.metrics().contentType(), out.toByteArray());
    }

    private void asset(Request r, String name) throws IOException {
        if (name.contains("..") || name.contains("/") || name.isEmpty()) {
            throw new Request.HttpError(404, "not found");
        }
        byte[] b = assets.computeIfAbsent(name, Routes::load);
        if (b.length == 0) {
            throw new Request.HttpError(404, "not found");
        }
        String ext = name.substring(name.lastIndexOf('.') + 1);
        r.send(200, TYPES.getOrDefault(ext, "application/octet-stream"), b);
    }

    private static byte[] load(String name) {
        try (InputStream in = Routes.class.getResourceAsStream(UI + name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    /** The dashboard's data, also the head of every live update. */
    Map<String, Object> overview() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", source.location());
        m.put("connected", source.isConnected());
        m.put("events", core.eventsApplied());
        m.put("event_rate", Math.round(eventRate * 10) / 10.0);
        m.put("time", System.currentTimeMillis() / 1000.0);
        List<Map<String, Object>> workers = core.workers();
        m.put("workers", workers);
        long online = 0;
        long active = 0;
        long[] sums = new long[6];
        for (Map<String, Object> w : workers) {
            if (Boolean.TRUE.equals(w.get("alive"))) {
                online++;
                active += w.get("active") instanceof Number n ? n.longValue() : 0;
            }
            int i = 0;
            for (String k : List.of("received", "started", "succeeded", "failed", "retried", "revoked")) {
                sums[i++] += w.get(k) instanceof Number n ? n.longValue() : 0;
            }
        }
        Map<String, Object> totals = new LinkedHashMap<>();
        totals.put("workers", workers.size());
        totals.put("online", online);
        totals.put("active", active);
        int i = 0;
        for (String k : List.of("received", "started", "succeeded", "failed", "retried", "revoked")) {
            totals.put(k, sums[i++]);
        }
        m.put("totals", totals);
        Map<String, Object> history = new LinkedHashMap<>();
        history.put("size", core.history().size());
        history.put("by_state", core.history().countsByState());
        history.put("persistent", core.history().file() != null);
        m.put("history", history);
        List<Map<String, Object>> queues = new ArrayList<>();
        core.queueStats().forEach((q, v) -> {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("name", q);
            e.put("messages", v[0] < 0 ? null : v[0]);
            e.put("consumers", v[1] < 0 ? null : v[1]);
            queues.add(e);
        });
        m.put("queues", queues);
        m.put("read_only", settings.readOnly());
        m.put("results", client.backend().isPresent());
        return m;
    }

    private void flowerWorkers(Request r) throws IOException {
        String name = r.params.get("workername");
        if (r.flag("refresh")) {
            core.inspect(client.control(), name == null ? null : List.of(name), Duration.ofSeconds(1));
        }
        if (r.flag("status")) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (WorkerInfo w : core.state().workers()) {
                out.put(w.hostname(), w.alive());
            }
            r.json(200, out);
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (WorkerInfo w : core.state().workers()) {
            out.put(w.hostname(), core.inspected().getOrDefault(w.hostname(), Map.of()));
        }
        core.inspected().forEach(out::putIfAbsent);
        if (name != null) {
            if (!out.containsKey(name)) {
                throw new Request.HttpError(404, "Unknown worker '" + name + "'");
            }
            r.json(200, Map.of(name, out.get(name)));
            return;
        }
        r.json(200, out);
    }

    private void taskPage(Request r, String id) throws IOException {
        Map<String, Object> t = core.task(id).orElseThrow(() -> new Request.HttpError(404, "Unknown task '" + id + "'"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task", t);
        out.put("timeline", TaskViews.timeline(t));
        out.put("in_memory", core.state().task(id).isPresent());
        List<Map<String, Object>> related = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        for (String k : List.of("parent_id", "root_id")) {
            if (t.get(k) instanceof String s && !s.equals(id) && !ids.contains(s)) {
                ids.add(s);
            }
        }
        if (t.get("children") instanceof List<?> children) {
            for (Object c : children) {
                if (c instanceof String s && !ids.contains(s)) {
                    ids.add(s);
                }
            }
        }
        for (String rid : ids) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("uuid", rid);
            Optional<Map<String, Object>> rt = core.task(rid);
            e.put("name", rt.map(x -> x.get("name")).orElse(null));
            e.put("state", rt.map(x -> x.get("state")).orElse(null));
            related.add(e);
        }
        out.put("related", related);
        r.json(200, out);
    }

    private void workerPage(Request r, String name) throws IOException {
        if (r.flag("refresh")) {
            core.inspect(client.control(), List.of(name), Duration.ofSeconds(1));
        }
        Optional<WorkerInfo> w = core.state().worker(name);
        Map<String, Object> inspected = core.inspected().get(name);
        if (w.isEmpty() && inspected == null) {
            throw new Request.HttpError(404, "Unknown worker '" + name + "'");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("worker", w.map(x -> TaskViews.worker(x, core.counters(name))).orElse(null));
        out.put("inspect", inspected == null ? Map.of() : inspected);
        Map<String, String> q = new LinkedHashMap<>();
        q.put("workername", name);
        q.put("limit", "20");
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> t : core.history().search(TaskQuery.parse(q, 20))) {
            rows.add(TaskViews.row(t));
        }
        out.put("tasks", rows);
        out.put("read_only", settings.readOnly());
        r.json(200, out);
    }

    private void result(Request r, String id) throws IOException {
        Optional<Backend> backend = client.backend();
        if (backend.isEmpty()) {
            throw new Request.HttpError(503, "no result backend is configured (--backend)");
        }
        String timeout = r.params.get("timeout");
        TaskMeta meta;
        if (timeout != null && !timeout.isBlank()) {
            double s;
            try {
                s = Double.parseDouble(timeout);
            } catch (NumberFormatException e) {
                throw new Request.HttpError(400, "timeout must be a number of seconds");
            }
            try {
                meta = backend.get().waitFor(id, Duration.ofMillis((long) (Math.min(s, 60) * 1000)));
            } catch (WaitTimeoutException e) {
                meta = backend.get().getTaskMeta(id);
            }
        } else {
            meta = backend.get().getTaskMeta(id);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task-id", id);
        out.put("state", meta.status().name());
        if (meta.status().isReady()) {
            out.put("result", safeResult(meta.result()));
            if (meta.status().name().equals("FAILURE")) {
                out.put("traceback", meta.traceback());
            }
        }
        r.json(200, out);
    }

    /** A result as Flower returns it: the value when it is JSON, else its Python repr (an exception's). */
    static Object safeResult(Object v) {
        if (v instanceof ExceptionInfo e) {
            return e.excType() + "(" + repr(e.excMessage()) + ")";
        }
        if (v instanceof Map<?, ?> m && m.get("exc_type") instanceof String type) {
            return type + "(" + repr(m.get("exc_message")) + ")";
        }
        return v;
    }

    private static String repr(Object msg) {
        if (msg instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object o : l) {
                parts.add(repr(o));
            }
            return String.join(", ", parts);
        }
        if (msg instanceof String s) {
            return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
        }
        return String.valueOf(msg);
    }

    // ------------------------------------------------------------------------------------------
    // actions

    private void post(Request r) throws IOException {
        String p = r.path;
        if (settings.readOnly()) {
            throw new Request.HttpError(403, "Read only mode is enabled");
        }
        if (p.startsWith("/api/task/revoke/")) {
            String id = r.rest("/api/task/revoke/");
            boolean terminate = r.flag("terminate");
            String signal = r.params.getOrDefault("signal", "SIGTERM");
            client.control().revoke(List.of(id), terminate, signal, Target.all());
            LOG.info("revoked task {}{}", id, terminate ? " (terminate, " + signal + ")" : "");
            r.json(200, Map.of("message", "Revoked '" + id + "'"));
        } else if (p.startsWith("/api/task/rate-limit/")) {
            String name = r.rest("/api/task/rate-limit/");
            String rate = required(r, "ratelimit");
            String worker = r.params.get("workername");
            Target target = worker == null || worker.isBlank() ? replying(null) : replying(worker);
            Replies replies = client.control().rateLimit(name, rate, target);
            r.json(200, actionAnswer(replies, "new rate limit set successfully"));
        } else if (p.startsWith("/api/worker/shutdown/")) {
            String worker = r.rest("/api/worker/shutdown/");
            if (core.state().worker(worker).isEmpty() && !core.inspected().containsKey(worker)) {
                throw new Request.HttpError(404, "Unknown worker '" + worker + "'");
            }
            client.control().shutdown(Target.nodes(worker));
            LOG.info("asked worker {} to shut down", worker);
            r.json(200, Map.of("message", "Shutting down!"));
        } else if (p.startsWith("/api/task/send-task/")) {
            sendTask(r, r.rest("/api/task/send-task/"));
        } else {
            throw new Request.HttpError(404, "not found");
        }
    }

    private static Target replying(String worker) {
        return worker == null ? new Target(null, null, null, Target.DEFAULT_TIMEOUT, 0, true)
                : new Target(List.of(worker), null, null, Target.DEFAULT_TIMEOUT, 1, true);
    }

    private static Map<String, Object> actionAnswer(Replies replies, String fallback) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (!replies.errors().isEmpty()) {
            out.put("error", String.join("; ", replies.errors().values()));
        }
        String ok = replies.ok().values().stream().findFirst().orElse(replies.isEmpty() ? "no worker answered" : fallback);
        out.put("message", ok);
        out.put("replies", replies.byNode());
        return out;
    }

    private static String required(Request r, String k) {
        String v = r.params.get(k);
        if (v == null || v.isBlank()) {
            throw new Request.HttpError(400, "missing argument " + k);
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private void sendTask(Request r, String name) throws IOException {
        Map<String, Object> options;
        byte[] body = r.body();
        try {
            Object decoded = body.length == 0 ? Map.of() : CeleryJson.decode(body);
            if (!(decoded instanceof Map<?, ?>)) {
                throw new Request.HttpError(400, "invalid options");
            }
            options = new LinkedHashMap<>((Map<String, Object>) decoded);
        } catch (JsonFormatException e) {
            throw new Request.HttpError(400, "the body is not JSON: " + e.getMessage());
        }
        Object args = options.remove("args");
        Object kwargs = options.remove("kwargs");
        if (args != null && !(args instanceof List<?>)) {
            throw new Request.HttpError(400, "args must be an array");
        }
        if (kwargs != null && !(kwargs instanceof Map<?, ?>)) {
            throw new Request.HttpError(400, "kwargs must be an object");
        }
        SendOptions.Builder b = SendOptions.builder();
        for (Map.Entry<String, Object> e : options.entrySet()) {
            Object v = e.getValue();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "queue" -> b.queue(String.valueOf(v));
                case "countdown" -> b.countdown(Duration.ofMillis((long) (number(v, "countdown") * 1000)));
                case "task_id" -> b.taskId(String.valueOf(v));
                case "priority" -> b.priority((int) number(v, "priority"));
                case "expires" -> b.expires(Duration.ofMillis((long) (number(v, "expires") * 1000)));
                case "eta" -> b.eta(parseEta(String.valueOf(v)));
                case "routing_key" -> b.routingKey(String.valueOf(v));
                case "exchange" -> b.exchange(String.valueOf(v));
                default -> throw new Request.HttpError(400, "unsupported option '" + e.getKey() + "'");
            }
        }
        AsyncResult res = client.send(name, args == null ? List.of() : (List<?>) args,
                kwargs == null ? Map.of() : (Map<String, ?>) kwargs, b.build());
        LOG.info("sent task {} {}", name, res.id());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task-id", res.id());
        if (client.backend().isPresent()) {
            out.put("state", res.state().name());
        }
        r.json(200, out);
    }

    private static double number(Object v, String what) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(v));
        } catch (NumberFormatException e) {
            throw new Request.HttpError(400, what + " must be a number");
        }
    }

    private static Instant parseEta(String v) {
        try {
            return Instant.parse(v);
        } catch (RuntimeException e) {
            try {
                return java.time.LocalDateTime.parse(v.replace(' ', 'T')).toInstant(java.time.ZoneOffset.UTC);
            } catch (RuntimeException e2) {
                throw new Request.HttpError(400, "eta must be an ISO 8601 date and time");
            }
        }
    }
}
