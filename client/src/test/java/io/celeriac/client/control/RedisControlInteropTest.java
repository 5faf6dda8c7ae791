package io.celeriac.client.control;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.Resp;
import io.celeriac.testing.TestServices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link AbstractControlInteropTest} on Redis: a leased database of its own is the broker (pidbox broadcasts are
 * per database) and the result backend.
 */
class RedisControlInteropTest extends AbstractControlInteropTest {

    private RedisTestServer.DatabaseLease lease;

    @Override
    void openServers() {
        lease = TestServices.redis().leaseDatabase();
    }

    @Override
    String brokerUrl() {
        return lease.url();
    }

    @Override
    String backendUrl() {
        return lease.url();
    }

    @Override
    boolean openedServers() {
        return lease != null;
    }

    @Override
    void closeServers() {
        lease.close();
    }

    @Override
    List<String> boundPidboxQueues() {
        List<String> queues = new ArrayList<>();
        try (Resp r = TestServices.redis().connect(lease.db())) {
            for (String set : List.of("_kombu.binding.celery.pidbox", "_kombu.binding.reply.celery.pidbox")) {
                for (Object m : (List<?>) r.call("SMEMBERS", set)) {
                    String member = m instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(m);
                    queues.add(member.substring(member.lastIndexOf('\u0016') + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return queues;
    }
}
