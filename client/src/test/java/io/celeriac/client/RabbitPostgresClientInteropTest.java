package io.celeriac.client;

import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;

/**
 * The client on a RabbitMQ broker (a private vhost when the server allows one) with PostgreSQL results
 * ({@code db+postgresql://}, a fresh database), against a real Celery 5.2.6 worker. Chords take Celery's
 * {@code celery.chord_unlock} path here, as the database backend has no native chord counter.
 */
class RabbitPostgresClientInteropTest extends ClientInteropContract {

    private RabbitTestServer.Vhost vhost;
    private PostgresTestServer postgres;
    private String database;

    @Override
    String[] openServers() {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        postgres = TestServices.postgres();
        database = postgres.createDatabase();
        String broker;
        if (rabbit.canCreateVhosts()) {
            vhost = rabbit.createVhost();
            broker = vhost.url();
        } else {
            broker = rabbit.url();
        }
        return new String[] {broker, postgres.celeryUrl(database)};
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
