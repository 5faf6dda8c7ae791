package io.celeriac.backend.redis.backend;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendCapability;
import io.celeriac.backend.BackendOptions;
import io.celeriac.tck.BackendContract;
import io.celeriac.tck.BackendFixture;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The whole conformance kit against the shared Redis on database 0, every test isolated by a fresh
 * {@code global_keyprefix} whose keys are deleted afterwards.
 */
class RedisBackendContractTest extends BackendContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected BackendFixture createFixture() {
        RedisTestServer server = TestServices.redis();
        String prefix = server.newKeyPrefix();
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        return new BackendFixture() {
            @Override
            public Backend open(BackendOptions options) {
                return CELERIAC.openBackend(url, options);
            }

            @Override
            public Set<BackendCapability> capabilities() {
                return allCapabilities();
            }

            @Override
            public void close() {
                server.deleteKeys(0, prefix);
            }
        };
    }
}
