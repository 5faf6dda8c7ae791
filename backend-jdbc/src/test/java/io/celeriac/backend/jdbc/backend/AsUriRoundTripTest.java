package io.celeriac.backend.jdbc.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.TaskState;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code asUri()} prints is Celery's {@code as_uri()} form ({@code db+} left out), and it is a URL that opens
 * the same store again.
 */
class AsUriRoundTripTest {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Test
    void aSqliteUriPrintedOpensTheSameDatabase(@TempDir Path dir) {
        String id = UUID.randomUUID().toString();
        String printed;
        try (Backend b = CELERIAC.openBackend("db+sqlite:///" + dir.resolve("r.sqlite"))) {
            b.storeResult(id, 7L, TaskState.SUCCESS);
            printed = b.asUri();
        }
        assertThat(printed).isEqualTo("sqlite:///" + dir.resolve("r.sqlite"));
        try (Backend again = CELERIAC.openBackend(printed)) {
            assertThat(again.getTaskMeta(id).result()).isEqualTo(7L);
            assertThat(again.asUri()).isEqualTo(printed);
        }
    }

    @Test
    void aPostgresUriPrintedOpensTheSameDatabase() {
        PostgresTestServer pg = TestServices.postgres();
        String db = pg.createDatabase();
        try {
            String url = "db+" + pg.celeryUrl(db).replaceFirst("^db\\+", "");
            String id = UUID.randomUUID().toString();
            String full;
            try (Backend b = CELERIAC.openBackend(url)) {
                b.storeResult(id, "x", TaskState.SUCCESS);
                assertThat(b.asUri()).startsWith("postgresql://");
                full = b.asUri(true);
            }
            try (Backend again = CELERIAC.openBackend(full)) {
                assertThat(again.getTaskMeta(id).result()).isEqualTo("x");
            }
        } finally {
            pg.dropDatabase(db);
        }
    }
}
