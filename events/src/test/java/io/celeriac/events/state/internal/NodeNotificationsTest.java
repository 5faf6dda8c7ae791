package io.celeriac.events.state.internal;

import io.celeriac.events.WorkerInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Joins and leaves drain in the order recorded, each once. */
class NodeNotificationsTest {

    private static List<String> names(List<WorkerInfo> views) {
        List<String> out = new ArrayList<>();
        for (WorkerInfo v : views) {
            out.add(v.hostname());
        }
        return out;
    }

    @Test
    void drainsInOrderOnce() {
        NodeNotifications n = new NodeNotifications();
        List<WorkerInfo> joins = new ArrayList<>();
        List<WorkerInfo> leaves = new ArrayList<>();
        assertThat(n.isEmpty()).isTrue();
        assertThat(n.drain(0, joins, leaves)).isFalse();

        WorkerNode a = new WorkerNode("a");
        WorkerNode b = new WorkerNode("b");
        n.joined(a);
        n.joined(b);
        n.left(a);
        n.joined(a);
        assertThat(n.isEmpty()).isFalse();
        assertThat(n.drain(0, joins, leaves)).isTrue();
        assertThat(names(joins)).containsExactly("a", "b", "a");
        assertThat(names(leaves)).containsExactly("a");
        assertThat(n.isEmpty()).isTrue();
        assertThat(n.drain(0, joins, leaves)).isFalse();
        assertThat(joins).hasSize(3);
    }

    @Test
    void viewsAreMadeAtDrainTime() {
        NodeNotifications n = new NodeNotifications();
        WorkerNode a = new WorkerNode("a");
        a.heartbeat(100, 100);
        n.joined(a);
        List<WorkerInfo> joins = new ArrayList<>();
        n.drain(100 + 1, joins, new ArrayList<>());
        assertThat(joins.get(0).alive()).isTrue();
        n.joined(a);
        joins.clear();
        n.drain(100 + a.freq * 2 + 1, joins, new ArrayList<>());
        assertThat(joins.get(0).alive()).isFalse();
    }

    @Test
    void clearForgetsWhatWasRecorded() {
        NodeNotifications n = new NodeNotifications();
        n.left(new WorkerNode("a"));
        n.clear();
        assertThat(n.isEmpty()).isTrue();
    }
}
