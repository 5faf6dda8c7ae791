package io.celeriac.statedb.file;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The main of the child JVMs the tests start. Modes:
 * <ul>
 *   <li>{@code crash PATH THREADS}: merge, then revoke ids on THREADS threads forever, printing
 *       {@code ACK <id> <clock>} once {@code add} returned; the clock value printed was handed out before
 *       the add; every 41st revoke of thread 0 also syncs. The test SIGKILLs it.</li>
 *   <li>{@code hold PATH}: merge, print {@code LOCKED}, wait for EOF on standard input, then save.</li>
 *   <li>{@code term PATH N}: merge, revoke N ids ({@code term-0} ...), print {@code READY <clock>} and wait for
 *       standard input to close; the test sends SIGTERM, on which the JVM runs the shutdown hook.</li>
 *   <li>{@code exit PATH N}: merge, revoke N ids ({@code exit-0} ...), print {@code DONE <clock>} and return
 *       from main without closing: the shutdown hook saves.</li>
 *   <li>{@code grow PATH}: (run under a file size limit) revoke random ids 300 at a time, printing
 *       {@code ACK <id>}, and sync after each batch ({@code SYNCED <n>}) until a sync fails
 *       ({@code SYNCFAILED <exception class> <message>}); then revoke ten more ({@code after-failed-sync-N}),
 *       close ({@code CLOSED} or {@code CLOSEFAILED ...}) and print {@code DONE}.</li>
 *   <li>{@code open PATH}: try to open the store and print {@code OPENED} or
 *       {@code FAILED <exception class> <message>}.</li>
 *   <li>{@code fill PATH}: (run under a file size limit) revoke ids, printing {@code ACK <id>} or
 *       {@code ERR <id> <message>}, until three revokes failed; then sync (the snapshot is small), revoke
 *       ten more and close, printing {@code SYNCED} and {@code CLOSED} (or {@code SYNCFAILED <message>}).</li>
 * </ul>
 */
public final class StateChild {

    private StateChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String path = args[1];
        Celeriac celeriac = Celeriac.discover();
        StateStoreOptions options = StateStoreOptions.builder().nodeName("child@" + java.net.InetAddress.getLocalHost().getHostName()).build();
        switch (mode) {
            case "crash":
                crash(celeriac.openStateStore(path, options), Integer.parseInt(args[2]));
                break;
            case "hold": {
                StateStore s = celeriac.openStateStore(path, options);
                WorkerState w = WorkerState.withCeleryDefaults();
                s.merge(w);
                print("LOCKED");
                while (System.in.read() >= 0) {
                    // wait for EOF
                }
                s.save(w);
                print("SAVED");
                break;
            }
            case "term": {
                StateStore s = celeriac.openStateStore(path, options);
                WorkerState w = WorkerState.withCeleryDefaults();
                s.merge(w);
                int n = Integer.parseInt(args[2]);
                for (int i = 0; i < n; i++) {
                    w.revoked().add("term-" + i);
                    w.clock().forward();
                }
                print("READY " + w.clock().value());
                new java.util.concurrent.CountDownLatch(1).await(); // until a signal ends the JVM; never on stdin, which CI may close
                break;
            }
            case "exit": {
                StateStore s = celeriac.openStateStore(path, options);
                WorkerState w = WorkerState.withCeleryDefaults();
                s.merge(w);
                int n = Integer.parseInt(args[2]);
                for (int i = 0; i < n; i++) {
                    w.revoked().add("exit-" + i);
                    w.clock().forward();
                }
                print("DONE " + w.clock().value());
                return; // no close, no save: the shutdown hook saves
            }
            case "fill":
                fill(celeriac.openStateStore(path, StateStoreOptions.builder().nodeName("child@h")
                        .property("journal_compact_size", "0").property("shutdown_hook", "false").build()));
                break;
            case "grow":
                grow(celeriac.openStateStore(path, StateStoreOptions.builder().nodeName("child@h")
                        .property("journal_compact_size", "0").property("shutdown_hook", "false").build()));
                break;
            case "open":
                try {
                    StateStore s = celeriac.openStateStore(path, options);
                    print("OPENED");
                    s.close();
                } catch (RuntimeException e) {
                    print("FAILED " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
                }
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
    }

    private static void fill(StateStore s) {
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        int failures = 0;
        for (int i = 0; i < 100_000 && failures < 3; i++) {
            String id = "fill-" + i;
            try {
                w.revoked().add(id);
                print("ACK " + id);
            } catch (RuntimeException e) {
                failures++;
                print("ERR " + id + " " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
            }
        }
        try {
            s.sync(w);
            print("SYNCED");
            for (int i = 0; i < 10; i++) {
                String id = "after-sync-" + i;
                w.revoked().add(id);
                print("ACK " + id);
            }
            s.close();
            print("CLOSED");
        } catch (RuntimeException e) {
            print("SYNCFAILED " + e.getMessage().replace('\n', ' '));
        }
    }

    private static void grow(StateStore s) {
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        for (int batch = 0; batch < 200; batch++) {
            for (int i = 0; i < 300; i++) {
                String id = UUID.randomUUID().toString(); // random: the snapshot hardly compresses
                w.revoked().add(id);
                print("ACK " + id);
            }
            try {
                s.sync(w);
                print("SYNCED " + batch);
            } catch (RuntimeException e) {
                print("SYNCFAILED " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
                break;
            }
        }
        for (int i = 0; i < 10; i++) {
            String id = "after-failed-sync-" + i;
            try {
                w.revoked().add(id);
                print("ACK " + id);
            } catch (RuntimeException e) {
                print("ERR " + id + " " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
            }
        }
        try {
            s.close();
            print("CLOSED");
        } catch (RuntimeException e) {
            print("CLOSEFAILED " + e.getClass().getName() + " " + e.getMessage().replace('\n', ' '));
        }
        print("DONE");
    }

    private static void crash(StateStore s, int threads) throws InterruptedException {
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        print("READY " + w.clock().value());
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int k = t;
            Thread th = new Thread(() -> {
                for (int i = 0; i < 1_000_000; i++) {
                    long clock = (i % 13 == 0) ? w.clock().adjust(w.clock().value() + 250) : w.clock().forward();
                    String id = UUID.randomUUID().toString();
                    w.revoked().add(id);
                    print("ACK " + id + " " + clock);
                    if (k == 0 && i % 41 == 40) {
                        s.sync(w);
                    }
                }
            }, "revoker-" + t);
            th.start();
            running.add(th);
        }
        for (Thread th : running) {
            th.join();
        }
    }

    private static void print(String line) {
        synchronized (System.out) {
            System.out.print(line + "\n");
            System.out.flush();
        }
    }

}
