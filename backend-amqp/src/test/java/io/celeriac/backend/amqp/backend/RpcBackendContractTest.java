package io.celeriac.backend.amqp.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.tck.BackendContract;
import io.celeriac.tck.BackendFixture;
import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.TestServices;

import java.util.EnumSet;
import java.util.Set;

/**
 * The conformance kit against the shared RabbitMQ. As in Celery, results reach the process that sent the task: the
 * first backend a test opens plays that client, and every later backend of the test sends the results it stores
 * without a request to the first one's reply queue ({@code default_reply_to}), as a worker replies to the client.
 */
class RpcBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BackendFixture createFixture() {
        RabbitTestServer rabbit = TestServices.rabbitmq();
        return new BackendFixture() {
            private String clientQueue;

            @Override
            public synchronized Backend open(BackendOptions options) {
                BackendOptions.Builder b = options.toBuilder().property(RpcBackendConfig.BROKER_URL, rabbit.url());
                if (clientQueue != null) {
                    b.property(RpcBackendConfig.DEFAULT_REPLY_TO, clientQueue);
                }
                Backend backend = CELERIAC.openBackend("rpc://", b.build());
                if (clientQueue == null) {
                    clientQueue = backend.replyQueue().orElseThrow();
                }
                return backend;
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return EnumSet.of(BackendCapability.READ, BackendCapability.WAIT, BackendCapability.FORGET,
                        BackendCapability.PUSH_WAIT, BackendCapability.EXPIRY, BackendCapability.NATIVE_EXPIRY);
            }
        };
    }
}
