package io.celeriac.backend.jdbc.state;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main of the child JVMs of {@link SqliteStateStoreTest}: {@code URL PREFIX COUNT GO_FILE} opens the
 * state store and merges, prints {@code READY}, waits (bounded) until {@code GO_FILE} exists so that the
 * children revoke at the same time, revokes {@code PREFIX-0 ... PREFIX-(COUNT-1)} stepping the clock, syncing
 * every 25 revokes, then saves and prints {@code DONE <clock>}. It never reads standard input.
 */
public final class SqliteStateChild {

    private SqliteStateChild() {
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        String prefix = args[1];
        int count = Integer.parseInt(args[2]);
        Path go = Path.of(args[3]);
        StateStore s = Celeriac.discover().openStateStore(url, StateStoreOptions.builder().nodeName(prefix + "@child")
                .property("shutdown_hook", "false").build());
        WorkerState w = WorkerState.withCeleryDefaults();
        s.merge(w);
        System.out.println("READY");
        System.out.flush();
        for (int i = 0; i < 6_000 && !Files.exists(go); i++) {
            Thread.sleep(10);
        }
        for (int i = 0; i < count; i++) {
            w.revoked().add(prefix + "-" + i);
            w.clock().forward();
            if (i % 25 == 24) {
                s.sync(w);
            }
        }
        s.save(w);
        System.out.println("DONE " + w.clock().value());
        System.out.flush();
    }
}
