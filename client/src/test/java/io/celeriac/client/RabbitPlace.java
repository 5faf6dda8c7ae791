package io.celeriac.client;

import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;

/**
 * Where a test's RabbitMQ work goes: a private vhost when the server allows one (deleted on close), else the
 * default vhost, where the tests use queues of their own.
 */
final class RabbitPlace implements AutoCloseable {

    private final String url;
    private final RabbitTestServer.Vhost vhost;

    private RabbitPlace(String url, RabbitTestServer.Vhost vhost) {
        this.url = url;
        this.vhost = vhost;
    }

    static RabbitPlace open() {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        if (rabbit.canCreateVhosts()) {
            RabbitTestServer.Vhost v = rabbit.createVhost();
            return new RabbitPlace(v.url(), v);
        }
        return new RabbitPlace(rabbit.url(), null);
    }

    /** @return the {@code amqp://} URL, with credentials */
    String url() {
        return url;
    }

    @Override
    public void close() {
        if (vhost != null) {
            vhost.close();
        }
    }
}
