package io.celeriac.worker;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Python Celery 5.2 client drives the Java worker on RabbitMQ with PostgreSQL results: the chord whose body is a
 * Java task has its {@code celery.chord_unlock} run by the Java worker.
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = "V5_2")
class RabbitPostgresPythonClientInteropTest extends PythonClientInteropContract {

    private RabbitPostgresPlace place;

    @Override
    String[] openServers() {
        place = new RabbitPostgresPlace(true);
        return new String[] {place.brokerUrl(), place.backendUrl()};
    }

    @Override
    void closeServers() {
        if (place != null) {
            place.close();
            place = null;
        }
    }
}
