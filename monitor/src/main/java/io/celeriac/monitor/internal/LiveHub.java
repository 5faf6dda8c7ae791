package io.celeriac.monitor.internal;

import com.sun.net.httpserver.HttpExchange;
import io.celeriac.json.CeleryJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The live updates: browsers subscribe with server-sent events ({@code /api/monitor/stream}); once a second, when
 * something changed, every subscriber gets one {@code update} event with the changed tasks (up to
 * {@link MonitorCore#LIVE_LIMIT}, then {@code more}), the workers and the totals, and a comment every 15 s
 * keeps idle connections open. A subscriber that cannot be written to is dropped.
 */
final class LiveHub {
    private static final Logger LOG = LoggerFactory.getLogger(LiveHub.class);
    /** The most subscribers at once; more are refused with 503. */
    static final int MAX_CLIENTS = 64;

    private final MonitorCore core;
    private final Supplier<Map<String, Object>> overview;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private long lastSent;
    private long seq;

    private record Client(HttpExchange exchange, OutputStream out) {
    }

    LiveHub(MonitorCore core, Supplier<Map<String, Object>> overview) {
        this.core = core;
        this.overview = overview;
    }

    /** Registers a subscriber; the exchange stays open until it fails or the hub closes. */
    void subscribe(Request r) throws IOException {
        if (clients.size() >= MAX_CLIENTS) {
            r.json(503, Map.of("error", "too many live subscribers"));
            return;
        }
        r.securityHeaders();
        r.x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=UTF-8");
        r.x.getResponseHeaders().set("Cache-Control", "no-store");
        r.x.getResponseHeaders().set("X-Accel-Buffering", "no");
        r.x.sendResponseHeaders(200, 0);
        OutputStream out = r.x.getResponseBody();
        Client c = new Client(r.x, out);
        Map<String, Object> hello = new LinkedHashMap<>(overview.get());
        hello.put("tasks", List.of());
        hello.put("more", true);
        if (write(c, "retry: 3000\n\n" + frame(hello))) {
            clients.add(c);
        }
    }

    /** Sends one update when something changed (or a keep-alive); called once a second. */
    void tick() {
        if (clients.isEmpty()) {
            core.takeChanges();
            return;
        }
        long now = System.currentTimeMillis();
        MonitorCore.Changes ch = core.takeChanges();
        String payload;
        if (!ch.tasks().isEmpty() || ch.more() || ch.workers() || now - lastSent > 5000) {
            Map<String, Object> m = new LinkedHashMap<>(overview.get());
            m.put("tasks", ch.tasks());
            m.put("more", ch.more());
            payload = frame(m);
            lastSent = now;
        } else {
            return;
        }
        for (Client c : clients) {
            if (!write(c, payload)) {
                clients.remove(c);
            }
        }
    }

    private String frame(Map<String, Object> m) {
        return "id: " + (++seq) + "\nevent: update\ndata: " + CeleryJson.encodeToString(m) + "\n\n";
    }

    private static boolean write(Client c, String s) {
        try {
            c.out.write(s.getBytes(StandardCharsets.UTF_8));
            c.out.flush();
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debug("live subscriber gone: {}", e.getMessage());
            c.exchange.close();
            return false;
        }
    }

    int subscribers() {
        return clients.size();
    }

    void close() {
        for (Client c : clients) {
            c.exchange.close();
        }
        clients.clear();
    }
}
