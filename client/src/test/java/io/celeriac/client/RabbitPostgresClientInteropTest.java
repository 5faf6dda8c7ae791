package io.celeriac.client;

import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.TestServices;

/**
 * The client on a RabbitMQ broker (a private vhost when the server allows one) with PostgreSQL results
 * ({@code db+postgresql://}, a fresh database), against a real Celery 5.2.6 worker. Chords take Celery's
 * {@code celery.chord_unlock} path here, as the database backend has no native chord counter.
 */
class RabbitPostgresClientInteropTest extends ClientInteropContract {

    private RabbitPlace rabbit;
    private PostgresTestServer postgres;
    private String database;

    @Override
    String[] openServers() {
        rabbit = RabbitPlace.open();
        postgres = TestServices.postgres();
        database = postgres.createDatabase();
        return new String[] {rabbit.url(), postgres.celeryUrl(database)};
    }

    @Override
    void closeServers() {
        if (rabbit != null) {
            rabbit.close();
        }
        if (postgres != null && database != null) {
            postgres.dropDatabase(database);
        }
    }
}
