package io.celeriac.events.snapshot;

import io.celeriac.events.EventState;
import io.celeriac.events.EventStateSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Takes snapshots of an {@link EventState} at regular intervals and hands them to a {@link Camera}: Celery's
 * {@code celery.events.snapshot.Polaroid} (what {@code celery events --camera=...} runs).
 *
 * <pre>{@code
 * try (EventState state = celeriac.openEventState("memory://", EventStateOptions.defaults());
 *      Polaroid polaroid = new Polaroid(state, new JsonFileCamera(Path.of("cluster.json")),
 *              PolaroidOptions.builder().freq(Duration.ofSeconds(5)).maxRate("10/m").build()).install()) {
 *     source.start(state::event);
 *     ...
 * }   // closing the Polaroid takes one last snapshot
 * }</pre>
 *
 * <p>Every {@link PolaroidOptions#freq()} it captures: when the rate limit (a token bucket of capacity 1
 * filled at {@link PolaroidOptions#maxRate()}) allows, it takes a consistent {@link EventState#snapshot()}
 * (and, with {@link PolaroidOptions#clearAfter()}, clears the state in the same freeze) and calls
 * {@link Camera#onShutter}. Every {@link PolaroidOptions#cleanupFreq()} it calls {@link Camera#onCleanup}.
 * {@link #cancel()} (or {@link #close()}) stops the timer and takes one last snapshot, past the rate limit.
 *
 * <p>Differences from Celery: the camera runs after the state is released, on the frozen snapshot (Celery
 * keeps the state locked while its camera writes); with {@code clearAfter}, a capture the rate limit skips
 * does not clear the state (Celery clears it, losing those events); the last capture on cancel is never
 * skipped by the rate limit.
 *
 * <p>Thread-safe. Captures never overlap: the timer's and those called directly are serialised. The timer is
 * one daemon thread named {@code celeriac-polaroid-N}, started by {@link #install()} and ended by
 * {@link #cancel()}.
 */
public final class Polaroid implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Polaroid.class);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final EventState state;
    private final Camera camera;
    private final PolaroidOptions options;
    private final Object shutter = new Object();
    private final TokenBucket bucket;
    private final AtomicLong shots = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong cleanups = new AtomicLong();
    private ScheduledExecutorService timer;
    private volatile Thread timerThread;
    private boolean installed;
    private boolean cancelled;

    /**
     * Creates a Polaroid; nothing runs until {@link #install()}.
     *
     * @param state the state to photograph
     * @param camera what receives the snapshots
     * @param options frequency, rate limit, cleanup frequency, clearing
     * @throws NullPointerException when an argument is null
     */
    public Polaroid(EventState state, Camera camera, PolaroidOptions options) {
        this.state = Objects.requireNonNull(state, "state");
        this.camera = Objects.requireNonNull(camera, "camera");
        this.options = Objects.requireNonNull(options, "options");
        this.bucket = options.maxRate() == null ? null : new TokenBucket(options.maxRate().perSecond(), options);
    }

    /**
     * Starts the timer: a capture every {@code freq} and a cleanup every {@code cleanupFreq}, the first of
     * each after one interval (as Celery's timer schedules them).
     *
     * @return this Polaroid
     * @throws IllegalStateException when already installed or cancelled
     */
    public synchronized Polaroid install() {
        if (cancelled) {
            throw new IllegalStateException("this Polaroid was cancelled");
        }
        if (installed) {
            throw new IllegalStateException("this Polaroid is already installed");
        }
        installed = true;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "celeriac-polaroid-" + THREADS.incrementAndGet());
            th.setDaemon(true);
            timerThread = th;
            return th;
        });
        t.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        t.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        long freq = options.freq().toNanos();
        long cleanup = options.cleanupFreq().toNanos();
        t.scheduleWithFixedDelay(() -> capture(false), freq, freq, TimeUnit.NANOSECONDS);
        t.scheduleWithFixedDelay(this::cleanup, cleanup, cleanup, TimeUnit.NANOSECONDS);
        timer = t;
        return this;
    }

    /**
     * Takes a snapshot now, when the rate limit allows (Celery's {@code capture}).
     *
     * @return whether the camera was called and succeeded
     */
    public boolean capture() {
        return capture(false);
    }

    private boolean capture(boolean last) {
        synchronized (shutter) {
            if (!last && bucket != null && !bucket.tryConsume()) {
                skipped.incrementAndGet();
                return false;
            }
            EventStateSnapshot snapshot;
            try {
                snapshot = options.clearAfter()
                        ? state.freezeWhile(s -> {
                            EventStateSnapshot taken = s.snapshot();
                            s.clear(true);
                            return taken;
                        })
                        : state.snapshot();
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                LOG.warn("Could not take a snapshot of {}", state, e);
                return false;
            }
            try {
                camera.onShutter(snapshot);
                shots.incrementAndGet();
                return true;
            } catch (Exception e) {
                failures.incrementAndGet();
                LOG.warn("The camera {} failed on a snapshot of {} events", camera, snapshot.eventCount(), e);
                return false;
            }
        }
    }

    /**
     * Runs the camera's cleanup now (Celery's {@code cleanup}).
     */
    public void cleanup() {
        synchronized (shutter) {
            try {
                camera.onCleanup();
                cleanups.incrementAndGet();
            } catch (Exception e) {
                failures.incrementAndGet();
                LOG.warn("The camera {} failed to clean up", camera, e);
            }
        }
    }

    /**
     * Stops the timer, waits for a capture in progress, and takes one last snapshot past the rate limit
     * (Celery's {@code cancel}). Calling it again does nothing.
     *
     * @throws IllegalStateException when interrupted while waiting for the timer to end
     */
    public void cancel() {
        ScheduledExecutorService t;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            t = timer;
        }
        if (t != null && Thread.currentThread() == timerThread) {
            t.shutdown(); // cancelled by the camera itself, on the timer thread: do not wait for ourselves
        } else if (t != null) {
            t.shutdown();
            try {
                if (!t.awaitTermination(1, TimeUnit.MINUTES)) {
                    t.shutdownNow();
                    LOG.warn("The camera {} was still busy a minute after cancel; interrupted it", camera);
                }
            } catch (InterruptedException e) {
                t.shutdownNow();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stopping the snapshot timer", e);
            }
        }
        capture(true);
    }

    /** Same as {@link #cancel()}. */
    @Override
    public void close() {
        cancel();
    }

    /**
     * How many snapshots the camera took.
     *
     * @return the count
     */
    public long shots() {
        return shots.get();
    }

    /**
     * How many captures the rate limit skipped.
     *
     * @return the count
     */
    public long skipped() {
        return skipped.get();
    }

    /**
     * How many snapshots or cleanups failed (they are logged).
     *
     * @return the count
     */
    public long failures() {
        return failures.get();
    }

    /**
     * How many cleanups ran.
     *
     * @return the count
     */
    public long cleanups() {
        return cleanups.get();
    }

    /**
     * The options.
     *
     * @return the options
     */
    public PolaroidOptions options() {
        return options;
    }

    @Override
    public String toString() {
        return "Polaroid[" + camera + ", every " + options.freq() + ", shots=" + shots + "]";
    }

    /**
     * kombu's {@code TokenBucket} with capacity 1, starting full: a token comes back every
     * {@code 1 / fillRate} seconds. Guarded by the shutter lock.
     */
    private static final class TokenBucket {
        private final double fillRate;
        private final PolaroidOptions options;
        private double tokens = 1;
        private Instant last;

        TokenBucket(double fillRate, PolaroidOptions options) {
            this.fillRate = fillRate;
            this.options = options;
            this.last = options.clock().instant();
        }

        boolean tryConsume() {
            Instant now = options.clock().instant();
            if (tokens < 1) {
                double elapsed = Math.max(0, java.time.Duration.between(last, now).toNanos() / 1e9);
                tokens = Math.min(1, tokens + fillRate * elapsed);
            }
            // kombu moves its timestamp only while refilling, so time spent full is credited later and two
            // snapshots can follow each other at once after a pause; here time is counted from every call
            last = now;
            if (tokens >= 1 - 1e-9) { // refills summed in small steps must not fall short by a rounding error
                tokens = Math.max(0, tokens - 1);
                return true;
            }
            return false;
        }
    }
}
