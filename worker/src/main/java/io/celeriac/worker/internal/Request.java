package io.celeriac.worker.internal;

import io.celeriac.broker.Delivery;
import io.celeriac.broker.StaleDeliveryException;
import io.celeriac.task.TaskMessage;
import io.celeriac.worker.TaskRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** One received task on its way through the worker: message, delivery, handler, and its one-time transitions. */
final class Request {
    private static final Logger LOG = LoggerFactory.getLogger("io.celeriac.worker");

    final TaskMessage msg;
    final Delivery delivery;
    final TaskRegistry.Entry entry;
    final long receivedNanos = System.nanoTime();
    final AtomicBoolean finished = new AtomicBoolean();
    final AtomicBoolean slotReleased = new AtomicBoolean();
    final AtomicBoolean settled = new AtomicBoolean();
    volatile Thread thread;
    volatile double timeStart;
    volatile boolean softExceeded;
    volatile boolean terminated;
    volatile ScheduledFuture<?> softTimer;
    volatile ScheduledFuture<?> hardTimer;
    volatile ScheduledFuture<?> etaTimer;

    Request(TaskMessage msg, Delivery delivery, TaskRegistry.Entry entry) {
        this.msg = msg;
        this.delivery = delivery;
        this.entry = entry;
    }

    private final Object runLock = new Object();
    private boolean runEnded;

    /**
     * Interrupts the handler's thread while the handler runs, never after: a time limit, terminate or shutdown that
     * comes as the handler returns must not interrupt the result's storing or the thread's next task.
     *
     * @return whether the thread was interrupted
     */
    boolean interruptIfRunning() {
        synchronized (runLock) {
            Thread t = thread;
            if (runEnded || t == null) {
                return false;
            }
            t.interrupt();
            return true;
        }
    }

    /** Marks the handler as returned, then clears an interrupt it left behind. */
    void runEnded() {
        synchronized (runLock) {
            runEnded = true;
        }
        Thread.interrupted();
    }

    String id() {
        return msg.id();
    }

    String name() {
        return msg.task();
    }

    /** @return true for the one caller that finishes this request (result, timeout or terminate) */
    boolean finish() {
        return finished.compareAndSet(false, true);
    }

    /**
     * Acknowledges the message once; a stale delivery (its channel was lost) is logged: it comes again.
     *
     * @return false when the delivery was stale
     */
    boolean ack() {
        if (settled.compareAndSet(false, true)) {
            try {
                delivery.ack();
            } catch (StaleDeliveryException e) {
                LOG.warn("{}[{}] could not be acknowledged: {}", name(), id(), e.getMessage());
                return false;
            }
        }
        return true;
    }

    /** Rejects the message once; a stale delivery is logged (it comes again, requeue or not). */
    void reject(boolean requeue) {
        if (settled.compareAndSet(false, true)) {
            try {
                delivery.reject(requeue);
            } catch (StaleDeliveryException e) {
                LOG.warn("{}[{}] could not be rejected: {}", name(), id(), e.getMessage());
            }
        }
    }

    void cancelTimers() {
        for (ScheduledFuture<?> f : new ScheduledFuture<?>[] {softTimer, hardTimer, etaTimer}) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }
}
