package io.celeriac.backend.redis.broker.internal;

import io.celeriac.broker.BrokerClosedException;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The broker's asynchronous publishes: one writer thread (started on the first publish) takes them in the order
 * they came and sends them in pipelines of up to {@value #BATCH}, so that thousands wait for Redis's reply at once
 * and the messages of one thread keep their order. Each future completes when Redis has replied to its command.
 * Thread-safe.
 */
final class AsyncPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncPublisher.class);
    static final int BATCH = 512;

    private record Pending(String exchange, String routingKey, Message message, CompletableFuture<Void> future) {
    }

    private final RedisBroker broker;
    private final String threadName;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private Thread writer;
    private boolean stopping;

    AsyncPublisher(RedisBroker broker, String threadName) {
        this.broker = broker;
        this.threadName = threadName;
    }

    CompletableFuture<Void> submit(String exchange, String routingKey, Message message) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        synchronized (lock) {
            if (stopping) {
                f.completeExceptionally(new BrokerClosedException(broker.asUri()));
                return f;
            }
            if (writer == null) {
                writer = new Thread(this::run, threadName);
                writer.setDaemon(true);
                writer.start();
            }
            queue.add(new Pending(exchange, routingKey, message, f));
        }
        return f;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(BATCH);
        while (true) {
            try {
                Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    synchronized (lock) {
                        if (stopping && queue.isEmpty()) {
                            return;
                        }
                    }
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                send(batch);
            } catch (InterruptedException e) {
                fail(batch, new BrokerClosedException(broker.asUri()));
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void send(List<Pending> batch) {
        List<Pending> sent = new ArrayList<>(batch.size());
        List<List<Response<Long>>> replies = new ArrayList<>(batch.size());
        try (AbstractPipeline p = broker.client().pipelined()) {
            for (Pending m : batch) {
                RedisBroker.Route route;
                try {
                    route = broker.route(m.exchange(), m.routingKey());
                } catch (ExchangeNotFoundException e) {
                    m.future().completeExceptionally(e);
                    continue;
                }
                replies.add(broker.send(p, route, m.exchange(), m.routingKey(), m.message()));
                sent.add(m);
            }
            p.sync();
        } catch (RuntimeException e) {
            RuntimeException t = broker.translate("publish", e);
            boolean mayHave = !RedisBroker.neverSent(e);
            for (Pending m : batch) {
                if (!m.future().isDone()) {
                    m.future().completeExceptionally(broker.publishFailed(m.exchange(), m.routingKey(), t, mayHave));
                }
            }
            return;
        }
        broker.connected(true);
        for (int i = 0; i < sent.size(); i++) {
            Pending m = sent.get(i);
            try {
                for (Response<Long> r : replies.get(i)) {
                    r.get();
                }
                m.future().complete(null);
            } catch (RuntimeException e) {
                m.future().completeExceptionally(broker.publishFailed(m.exchange(), m.routingKey(),
                        broker.translate("publish", e), false));
            }
        }
    }

    private static void fail(List<Pending> batch, RuntimeException e) {
        for (Pending m : batch) {
            m.future().completeExceptionally(e);
        }
    }

    /** Stops taking publishes, waits for those queued, then fails what is left and stops the writer. */
    void close(long waitMillis) {
        Thread w;
        synchronized (lock) {
            stopping = true;
            w = writer;
        }
        if (w == null) {
            return;
        }
        try {
            w.join(waitMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (w.isAlive()) {
            w.interrupt();
            try {
                w.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        if (!left.isEmpty()) {
            LOG.warn("{} publish(es) to {} were still waiting when it closed", left.size(), broker.asUri());
        }
        fail(left, new BrokerClosedException(broker.asUri()));
    }
}
