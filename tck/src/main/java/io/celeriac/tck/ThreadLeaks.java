package io.celeriac.tck;

import org.awaitility.Awaitility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Detects threads a component started and did not stop: take a {@link #snapshot()} before creating it,
 * close it, then {@link #assertNoNewThreads}.
 */
public final class ThreadLeaks {

    /**
     * Threads of the JDK and test tooling that come and go on their own, and core-api's JVM-wide pool for
     * asynchronous calls ({@code celeriac-async-}, shared by every store, idle threads ending after a minute).
     */
    private static final List<String> IGNORED_PREFIXES = List.of("celeriac-async-",
            "ForkJoinPool.commonPool-worker", "CompletableFutureDelayScheduler", "process reaper",
            "Attach Listener", "Common-Cleaner", "Signal Dispatcher", "Reference Handler", "Finalizer",
            "Notification Thread", "surefire-forkedjvm", "junit-", "JFR ", "RMI ", "Keep-Alive-Timer",
            "InnocuousThread", "Java2D Disposer", "awaitility");

    private final Set<Thread> before;

    private ThreadLeaks(Set<Thread> before) {
        this.before = before;
    }

    /**
     * Records the live threads.
     *
     * @return the snapshot
     */
    public static ThreadLeaks snapshot() {
        return new ThreadLeaks(new HashSet<>(Thread.getAllStackTraces().keySet()));
    }

    /**
     * Waits until every thread started since the snapshot has ended, except those whose name starts with
     * one of {@code sharedPrefixes} (documented JVM-wide threads a library keeps).
     *
     * @param within how long threads may take to end
     * @param sharedPrefixes name prefixes to ignore
     * @throws AssertionError naming the threads still alive
     */
    public void assertNoNewThreads(Duration within, Set<String> sharedPrefixes) {
        try {
            Awaitility.await().atMost(within).pollInterval(Duration.ofMillis(20)).until(() -> leaked(sharedPrefixes).isEmpty());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("threads still running after close: " + leaked(sharedPrefixes));
        }
    }

    private List<String> leaked(Set<String> sharedPrefixes) {
        List<String> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (!t.isAlive() || before.contains(t) || t == Thread.currentThread()) {
                continue;
            }
            String n = t.getName();
            if (IGNORED_PREFIXES.stream().anyMatch(n::startsWith) || sharedPrefixes.stream().anyMatch(n::startsWith)) {
                continue;
            }
            out.add(n);
        }
        return out;
    }
}
