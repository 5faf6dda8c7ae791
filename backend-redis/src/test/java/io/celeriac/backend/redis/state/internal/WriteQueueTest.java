package io.celeriac.backend.redis.state.internal;

import io.celeriac.state.StateStoreClosedException;
import io.celeriac.state.UnableToSaveStateException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The write queue on its own, with a sink that records what would go to the write script: the order of
 * changes, the snapshot window, splitting into calls, failures reported to exactly the changes they hit.
 */
class WriteQueueTest {

    /** Records each call as text, and fails the calls it is told to. */
    private static final class RecordingSink implements WriteQueue.Sink {
        final List<List<String>> calls = new ArrayList<>();
        int failCall = -1;

        @Override
        public synchronized void write(List<byte[]> changes) {
            List<String> call = new ArrayList<>();
            changes.forEach(b -> call.add(new String(b, StandardCharsets.UTF_8)));
            calls.add(call);
            if (calls.size() - 1 == failCall) {
                throw new IllegalStateException("the connection was lost");
            }
        }
    }

    private final RecordingSink sink = new RecordingSink();
    private final WriteQueue queue = new WriteQueue(sink, "redis://test/0 (keys k:*)", RuntimeException::getMessage);

    @Test
    void changesAreWrittenInTheOrderTheyWereQueuedAndShareACall() {
        WriteQueue.Change a = queue.add("x", 1763712000.5);
        WriteQueue.Change d = queue.discard("x");
        WriteQueue.Change c = queue.clear();
        WriteQueue.Change b = queue.add("y", 1763712001.25);
        queue.await(d); // the first waiter writes everything queued
        assertThat(sink.calls).containsExactly(List.of("A", "1", "1763712000.500000", "x", "D", "1", "x", "C", "A", "1", "1763712001.250000", "y"));
        queue.await(a);
        queue.await(c);
        queue.await(b);
        assertThat(sink.calls).as("nothing written twice").hasSize(1);
    }

    @Test
    void aSnapshotLeavesOutWhatWasDiscardedOrClearedAfterTheCapture() {
        queue.openSnapshotWindow();
        WriteQueue.Change discard = queue.discard("x"); // took effect after the capture, queued before the snapshot
        WriteQueue.Change snapshot = queue.snapshot(Map.of("x", 10.0, "y", 11.0));
        queue.await(snapshot);
        queue.await(discard);
        assertThat(sink.calls).containsExactly(List.of("D", "1", "x", "A", "1", "11.000000", "y"));

        sink.calls.clear();
        queue.openSnapshotWindow();
        WriteQueue.Change clear = queue.clear();
        WriteQueue.Change after = queue.add("z", 12.0); // queued on its own, after the clear
        queue.await(queue.snapshot(Map.of("old", 1.0, "z", 12.0)));
        queue.await(clear);
        queue.await(after);
        assertThat(sink.calls).containsExactly(List.of("C", "A", "1", "12.000000", "z"));

        sink.calls.clear();
        queue.discard("outside-any-window");
        queue.await(queue.snapshot(Map.of("outside-any-window", 5.0)));
        assertThat(sink.calls).as("a discard queued before the window was opened is already reflected in the capture")
                .containsExactly(List.of("D", "1", "outside-any-window", "A", "1", "5.000000", "outside-any-window"));
    }

    @Test
    void largeChangesAreSplitAndAFailedCallFailsOnlyTheChangesInItOrAfterIt() {
        Map<String, Double> many = new LinkedHashMap<>();
        for (int i = 0; i < 5_000; i++) {
            many.put("id-" + i, 100.0 + i);
        }
        WriteQueue.Change first = queue.add("first", 1.0);
        WriteQueue.Change big = queue.addAll(many);
        WriteQueue.Change last = queue.add("last", 2.0);
        sink.failCall = 1;
        queue.await(first);
        assertThat(sink.calls).hasSize(2);
        assertThat(sink.calls.get(0)).as("first call: 1 + 4095 ids").hasSize(4 + 2 + 2 * 4095);
        assertThat(sink.calls.get(1).subList(0, 2)).containsExactly("A", "905");
        assertThatThrownBy(() -> queue.await(big)).isInstanceOf(UnableToSaveStateException.class)
                .hasMessageContaining("redis://test/0 (keys k:*)").hasMessageContaining("5000 revokes could not be stored in Redis")
                .hasMessageContaining("the connection was lost");
        assertThatThrownBy(() -> queue.await(last)).isInstanceOf(UnableToSaveStateException.class)
                .hasMessageContaining("the revoke of last");
    }

    @Test
    void closeWritesWhatIsQueuedThenRefusesNewChanges() {
        WriteQueue.Change queued = queue.add("queued", 3.0);
        queue.close();
        assertThat(sink.calls).containsExactly(List.of("A", "1", "3.000000", "queued"));
        queue.await(queued);
        assertThatThrownBy(() -> queue.add("late", 4.0)).isInstanceOf(StateStoreClosedException.class);
        queue.close();
    }

    @Test
    void scoresAreEpochSecondsExactToTheMicrosecond() {
        assertThat(new String(WriteQueue.score(1_763_712_000_123_456L), StandardCharsets.US_ASCII)).isEqualTo("1763712000.123456");
        assertThat(new String(WriteQueue.score(-1), StandardCharsets.US_ASCII)).isEqualTo("-0.000001");
        for (long micros : new long[] {1_763_712_000_000_001L, 1_763_712_999_999_999L, 4_102_444_800_000_007L}) {
            double parsed = Double.parseDouble(new String(WriteQueue.score(micros), StandardCharsets.US_ASCII));
            assertThat(parsed).isEqualTo(micros / 1e6);
            assertThat(WriteQueue.micros(parsed)).isEqualTo(micros);
        }
    }
}
