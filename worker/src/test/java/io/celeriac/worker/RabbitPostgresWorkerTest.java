package io.celeriac.worker;

import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;

/**
 * The worker on RabbitMQ (a private vhost when the server allows one) with PostgreSQL results: chords go through
 * Celery's {@code celery.chord_unlock}, which the Java worker runs.
 */
class RabbitPostgresWorkerTest extends WorkerContract {

    private RabbitTestServer.Vhost vhost;
    private PostgresTestServer postgres;
    private String database;

    @Override
    String[] openServers() {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        String url = rabbit.url();
        if (rabbit.canCreateVhosts()) {
            vhost = rabbit.createVhost();
            url = vhost.url();
        }
        postgres = TestServices.postgres();
        database = postgres.createDatabase();
        return new String[] {url, postgres.celeryUrl(database)};
    }

    @Override
    void closeServers() {
        if (vhost != null) {
            vhost.close();
        }
        if (postgres != null && database != null) {
            postgres.dropDatabase(database);
        }
    }
}
