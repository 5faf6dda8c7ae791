package io.celeriac.worker;

import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Python Celery 5.2 and 5.6 clients drive the Java worker on RabbitMQ with {@code rpc://} results: the worker sends
 * each state to the client's reply queue with the task id as correlation id. No chords ({@code rpc://} has none).
 */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"V5_2", "V5_6"})
class RabbitRpcPythonClientInteropTest extends PythonClientInteropContract {

    private RabbitTestServer.Vhost vhost;

    @Override
    String[] openServers() {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        String url = rabbit.url();
        if (rabbit.canCreateVhosts()) {
            vhost = rabbit.createVhost();
            url = vhost.url();
        }
        return new String[] {url, "rpc://"};
    }

    @Override
    boolean chords() {
        return false;
    }

    @Override
    void closeServers() {
        if (vhost != null) {
            vhost.close();
        }
    }
}
