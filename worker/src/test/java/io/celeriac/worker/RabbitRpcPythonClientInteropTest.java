package io.celeriac.worker;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Python Celery 5.2 and 5.6 clients drive the Java worker on RabbitMQ with {@code rpc://} results: the worker sends
 * each state to the client's reply queue with the task id as correlation id. No chords ({@code rpc://} has none).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"V5_2", "V5_6"})
class RabbitRpcPythonClientInteropTest extends PythonClientInteropContract {

    private RabbitPostgresPlace place;

    @Override
    String[] openServers() {
        place = new RabbitPostgresPlace(false);
        return new String[] {place.brokerUrl(), "rpc://"};
    }

    @Override
    boolean chords() {
        return false;
    }

    @Override
    void closeServers() {
        if (place != null) {
            place.close();
            place = null;
        }
    }
}
