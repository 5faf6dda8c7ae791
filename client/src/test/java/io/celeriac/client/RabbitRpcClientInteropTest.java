package io.celeriac.client;

import io.celeriac.broker.CeleryTopology;
import io.celeriac.client.canvas.Chord;
import io.celeriac.client.canvas.Group;
import io.celeriac.task.Signature;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client on RabbitMQ with Celery's {@code rpc://} results, against a real Celery 5.2.6 worker: the task messages
 * carry the backend's reply queue as {@code reply_to} and the worker's result messages come back to it. A chord
 * fails with Celery's own error before anything is sent (§6.2); what rpc:// cannot do (save groups, forget, store
 * children) is left out of the contract here, as in Celery.
 */
class RabbitRpcClientInteropTest extends ClientInteropContract {

    private RabbitPlace rabbit;

    @Override
    String[] openServers() {
        rabbit = RabbitPlace.open();
        return new String[] {rabbit.url(), "rpc://"};
    }

    @Override
    void closeServers() {
        if (rabbit != null) {
            rabbit.close();
        }
    }

    /** The worker sends a callback's result to the callback's reply_to: as in Celery, it must name ours. */
    @Override
    Signature callbackOptions(Signature callback) {
        return callback.withOption("reply_to", client.backend().orElseThrow().replyQueue().orElseThrow());
    }

    @Test
    void theReplyToIsTheBackendsReplyQueue() {
        assertThat(client.backend().orElseThrow().replyQueue()).isPresent();
        assertThat(client.backend().orElseThrow().replyQueue().get()).isNotEqualTo(client.threadOid());
    }

    @Test
    @Override
    void aChordGivesPythonsResult() {
        String q = queue + "-chord";
        client.broker().declareQueue(CeleryTopology.taskQueue(q));
        try {
            Chord chord = Chord.of(Group.of(Signature.of("proj.add", 1, 1).withOption("queue", q),
                    Signature.of("proj.add", 2, 2).withOption("queue", q)), Signature.of("proj.tsum"));
            assertThatThrownBy(() -> client.send(chord)).isInstanceOf(ChordsNotSupportedException.class)
                    .hasMessage("The \"rpc\" result backend does not support chords!\n\n"
                            + "Note that a group chained with a task is also upgraded to be a chord,\n"
                            + "as this pattern requires synchronization.\n\n"
                            + "Result backends that supports chords: Redis, Database, Memcached, and more.");
            assertThat(client.broker().queueStats(q).messages()).isZero();
        } finally {
            client.broker().deleteQueue(q);
        }
    }

    @Test
    @Override
    void aChordOfChainsGivesPythonsResult() {
        List<Object> members = new ArrayList<>();
        members.add(io.celeriac.client.canvas.Chain.of(Signature.of("proj.add", 1, 1), Signature.of("proj.add", 1)));
        assertThatThrownBy(() -> client.send(Chord.of(Group.ofMembers(members), Signature.of("proj.tsum"))))
                .isInstanceOf(ChordsNotSupportedException.class);
    }

    @Test
    @Override
    void aChordWithAnEmptyHeaderRunsItsBodyWithNoResults() {
        assertThatThrownBy(() -> client.send(Chord.of(Group.of(), Signature.of("proj.tsum"))))
                .isInstanceOf(ChordsNotSupportedException.class);
    }

    @Override
    void typedReadsForgetAndGroupFailures() {
        // rpc:// cannot forget results nor save groups (Celery's RPCBackend raises for both)
    }

    @Override
    void childrenAreTheTasksATaskSent() {
        // rpc:// result messages carry no children a later read could find
    }
}
