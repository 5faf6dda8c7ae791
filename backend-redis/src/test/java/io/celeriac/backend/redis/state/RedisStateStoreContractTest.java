package io.celeriac.backend.redis.state;

import io.celeriac.Celeriac;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreCapability;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.tck.StateStoreContract;
import io.celeriac.tck.StateStoreFixture;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The state store kit against the shared Redis, database 0, each test isolated by a fresh
 * {@code global_keyprefix} whose keys are deleted afterwards. A restart is a new store on the same keys.
 *
 * <p>Corruption: {@code FOREIGN} replaces the sorted set of revoked ids with a string of foreign bytes (a key of
 * another type, what another program sharing the Redis could leave). {@code FLIPPED_BIT} and {@code TRUNCATED}
 * cannot be expressed: Redis keeps a sorted set, not bytes with a checksum, so a flipped bit gives another
 * valid task id and half the members are still a valid set (skipped by the kit, visibly).
 */
class RedisStateStoreContractTest extends StateStoreContract {

    private static final Celeriac CELERIAC = Celeriac.discover();

    @Override
    protected StateStoreFixture createFixture() {
        RedisTestServer server = TestServices.redis();
        String prefix = server.newKeyPrefix();
        String url = server.url(0) + "?global_keyprefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8);
        String revokedKey = prefix + "celeriac-state-celery:revoked";
        return new StateStoreFixture() {
            @Override
            public StateStore open() {
                return CELERIAC.openStateStore(url, StateStoreOptions.defaults());
            }

            @Override
            public Set<StateStoreCapability> capabilities() {
                return Set.of(StateStoreCapability.SHARED);
            }

            @Override
            public boolean corrupt(Corruption kind) throws Exception {
                if (kind != Corruption.FOREIGN) {
                    return false; // no checksummed bytes in Redis: see the class comment
                }
                try (Resp r = server.connect(0)) {
                    assertThat(r.call("TYPE", revokedKey)).as("the saved state is a sorted set").isEqualTo("zset");
                    r.call("DEL", revokedKey);
                    r.call("SET", revokedKey, "\u0080\u0004\u0095 not a sorted set of task ids");
                }
                return true;
            }

            @Override
            public void close() {
                server.deleteKeys(0, prefix);
            }
        };
    }
}
