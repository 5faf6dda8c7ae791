package io.celeriac.worker;

import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Python Celery 5.2 client drives the Java worker on RabbitMQ with PostgreSQL results: the chord whose body is a
 * Java task has its {@code celery.chord_unlock} run by the Java worker.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = "V5_2")
class RabbitPostgresPythonClientInteropTest extends PythonClientInteropContract {

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
