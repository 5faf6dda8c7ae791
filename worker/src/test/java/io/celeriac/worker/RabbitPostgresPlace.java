package io.celeriac.worker;

import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;

/**
 * A test class's RabbitMQ (a private vhost when the server allows one, else the default vhost with queues of the
 * test's own) and, when asked, a fresh PostgreSQL database; closing deletes both.
 */
final class RabbitPostgresPlace implements AutoCloseable {

    private RabbitTestServer.Vhost vhost;
    private PostgresTestServer postgres;
    private String database;
    private final String brokerUrl;

    RabbitPostgresPlace(boolean withDatabase) {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        String url = rabbit.url();
        if (rabbit.canCreateVhosts()) {
            vhost = rabbit.createVhost();
            url = vhost.url();
        }
        brokerUrl = url;
        if (withDatabase) {
            postgres = TestServices.postgres();
            database = postgres.createDatabase();
        }
    }

    /** @return the {@code amqp://} URL */
    String brokerUrl() {
        return brokerUrl;
    }

    /** @return the {@code db+postgresql://} URL of the fresh database */
    String backendUrl() {
        return postgres.celeryUrl(database);
    }

    @Override
    public void close() {
        try {
            if (vhost != null) {
                vhost.close();
            }
        } finally {
            if (postgres != null && database != null) {
                postgres.dropDatabase(database);
            }
        }
    }
}
