package io.celeriac.client.control;

import io.celeriac.testing.RabbitTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;

import io.celeriac.control.ControlNode;
import io.celeriac.control.ControlReply;
import io.celeriac.control.Mailbox;
import io.celeriac.testing.PythonCelery;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link AbstractControlInteropTest} on RabbitMQ: a virtual host of its own is the broker (so no other node on the
 * server answers its broadcasts) and a leased Redis database the result backend.
 */
class AmqpControlInteropTest extends AbstractControlInteropTest {

    private RabbitTestServer.Vhost vhost;
    private RedisTestServer.DatabaseLease lease;

    @Override
    void openServers() {
        RabbitTestServer server = TestServices.rabbitmq();
        assumeTrue(server.canCreateVhosts() || "true".equalsIgnoreCase(System.getenv("CI")),
                "private virtual hosts need the machine's own RabbitMQ and rabbitmqctl");
        vhost = server.createVhost();
        lease = TestServices.redis().leaseDatabase();
    }

    @Override
    String brokerUrl() {
        return vhost.url();
    }

    @Override
    String backendUrl() {
        return lease.url();
    }

    @Override
    boolean openedServers() {
        return vhost != null || lease != null;
    }

    @Override
    void closeServers() {
        try {
            if (lease != null) {
                lease.close();
            }
        } finally {
            if (vhost != null) {
                vhost.close();
            }
        }
    }

    /**
     * The node's queue and the mailbox's reply queue are declared exactly as kombu declares them: Python redeclares
     * both (with the exchanges and bindings) while Java holds them, which RabbitMQ refuses for any other flag or
     * argument.
     */
    @Test
    void pythonRedeclaresTheJavaQueuesWithoutAConflict() {
        try (ControlNode node = ControlNode.start(broker, javaNode, (method, args) -> Map.of("ok", "pong"));
             Mailbox mailbox = new Mailbox(broker)) {
            assertThat(mailbox.call("ping", Map.of(), List.of(javaNode), REPLY_WAIT, 0))
                    .containsExactly(new ControlReply(javaNode, Map.of("ok", "pong")));
            String script = String.join("\n",
                    "import sys",
                    "from ctltasks import app",
                    "mailbox = app.control.mailbox",
                    "with app.connection_for_write() as conn:",
                    "    channel = conn.channel()",
                    "    mailbox.get_queue(sys.argv[1])(channel).declare()",
                    "    bound = mailbox(conn)",
                    "    bound.__class__ = type('Fixed', (type(bound),), {'oid': sys.argv[2]})  # Java's oid",
                    "    queue = bound.get_reply_queue()",
                    "    assert queue.name == sys.argv[3], queue.name",
                    "    queue(channel).declare()",
                    "    print('declared', queue.name)",
                    "");
            PythonCelery.Result r = PythonCelery.run(script, WAIT, pythonEnv(), javaNode, mailbox.oid(),
                    mailbox.replyQueue());
            assertThat(r.exitCode()).as(r.stderr()).isZero();
            assertThat(r.stdout()).contains("declared " + mailbox.replyQueue());
        }
    }
}
