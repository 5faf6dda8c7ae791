package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;
import io.celeriac.tck.BrokerContract;
import io.celeriac.tck.BrokerFixture;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Set;

/**
 * The broker kit on the shared Redis (127.0.0.1:6379, database 0), each test under a key prefix of its own
 * ({@code global_keyprefix}, which kombu puts before every key and channel), deleted afterwards. Redis declares
 * topic exchanges only: no consumer counts, no publisher confirms, no TTLs, and kombu's priorities (step 0
 * first), not RabbitMQ's.
 */
class RedisBrokerContractTest extends BrokerContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BrokerFixture createFixture() {
        RedisTestServer server = TestServices.redis();
        String prefix = server.newKeyPrefix();
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        return new BrokerFixture() {
            @Override
            public Broker open() {
                return CELERIAC.openBroker(url);
            }

            @Override
            public Set<BrokerCapability> capabilities() {
                return EnumSet.of(BrokerCapability.TOPIC_EXCHANGE);
            }

            @Override
            public void close() {
                server.deleteKeys(0, prefix);
            }
        };
    }
}
