package io.celeriac.statedb.file.internal;

import io.celeriac.state.RevokedEntries;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class SnapshotCodecTest {

    private static Map<String, Double> sample() {
        Map<String, Double> m = new LinkedHashMap<>();
        double t = 1_763_726_400.0;
        m.put(UUID.randomUUID().toString(), t + 0.000_001);
        m.put("E0A7A1E4-2C5B-4F63-9B1E-3A4C5D6E7F80", t + 0.5); // upper case: kept as text, not as a UUID
        m.put("", t + 1);                                       // an empty id is an id
        m.put("tâche-ü-😀", t + 1.25);
        m.put("x".repeat(5000), t + 2);
        m.put(UUID.randomUUID().toString(), t - 100);           // out of order: deltas may be negative
        return m;
    }

    @Test
    void roundTripKeepsEveryIdItsExactTimestampAndTheOrder() {
        Map<String, Double> in = sample();
        byte[] b = SnapshotCodec.encode(in, 7, 1007, 42, 1_763_726_400_000_000L);
        SnapshotCodec.Decoded d = SnapshotCodec.decode(b);
        assertThat(d.entries()).containsExactlyEntriesOf(in);
        assertThat(d.clock()).isEqualTo(7);
        assertThat(d.ceiling()).isEqualTo(1007);
        assertThat(d.nextGeneration()).isEqualTo(42);
        assertThat(d.writtenAtMicros()).isEqualTo(1_763_726_400_000_000L);
    }

    @Test
    void anEmptyStateIsASmallValidFile() {
        byte[] b = SnapshotCodec.encode(Map.of(), 0, 0, 1, 0);
        assertThat(b.length).isLessThan(100);
        assertThat(SnapshotCodec.decode(b).entries()).isEmpty();
    }

    @Test
    void uuidsTakeSixteenBytesAndTheFileIsCompact() {
        Map<String, Double> m = new LinkedHashMap<>();
        double t = 1_763_726_400.0;
        for (int i = 0; i < 10_000; i++) {
            m.put(UUID.randomUUID().toString(), t + i * 0.000_003);
        }
        byte[] b = SnapshotCodec.encode(m, 1, 1, 1, 0);
        assertThat(b.length).as("about 16 bytes per UUID").isBetween(160_000, 175_000);
        assertThat(SnapshotCodec.decode(b).entries()).containsExactlyEntriesOf(m);
    }

    @Test
    void everySingleFlippedBitIsDetected() {
        byte[] good = SnapshotCodec.encode(sample(), 3, 4, 5, 6);
        int detected = 0;
        for (int i = 0; i < good.length; i++) {
            for (int bit = 0; bit < 8; bit += 3) {
                byte[] bad = good.clone();
                bad[i] ^= (byte) (1 << bit);
                if (!SnapshotCodec.hasMagic(bad)) {
                    detected++;
                    continue;
                }
                Throwable t = catchThrowable(() -> SnapshotCodec.decode(bad));
                assertThat(t).as("byte %d bit %d", i, bit).isInstanceOf(FormatException.class);
                detected++;
            }
        }
        assertThat(detected).isEqualTo(good.length * 3);
    }

    @Test
    void everyTruncationIsDetectedAndNamed() {
        byte[] good = SnapshotCodec.encode(sample(), 3, 4, 5, 6);
        for (int len = 8; len < good.length; len += 7) {
            byte[] cut = Arrays.copyOf(good, len);
            assertThatThrownBy(() -> SnapshotCodec.decode(cut)).as("cut to %d", len).isInstanceOf(FormatException.class)
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("cut short", "damaged"));
        }
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertThatThrownBy(() -> SnapshotCodec.decode(longer)).hasMessageContaining("extra bytes");
    }

    @Test
    void aNewerVersionIsRefusedByName() {
        byte[] b = SnapshotCodec.encode(sample(), 0, 0, 1, 0);
        b[9] = 2;
        ByteSink.putInt(b, 60, SnapshotCodec.crc(b, 0, 60));
        assertThatThrownBy(() -> SnapshotCodec.decode(b)).hasMessageContaining("version 2");
    }

    @Test
    void uuidCodecIsExactAndRejectsLookAlikes() {
        String id = UUID.randomUUID().toString();
        byte[] b = new byte[16];
        assertThat(TaskIds.tryWriteUuid(id, b, 0)).isTrue();
        assertThat(TaskIds.readUuid(b, 0)).isEqualTo(id);
        assertThat(TaskIds.isCanonicalUuid(id.toUpperCase())).isFalse();
        assertThat(TaskIds.isCanonicalUuid(id.replace('-', '_'))).isFalse();
        assertThat(TaskIds.isCanonicalUuid(id.substring(1))).isFalse();
        assertThat(TaskIds.isCanonicalUuid(id.substring(0, 35) + "g")).isFalse();
        assertThat(TaskIds.isCanonicalUuid(id.substring(0, 35) + "\u0660")).isFalse();
        RevokedEntries e = RevokedEntries.of(new String[] {id}, new long[] {5});
        assertThat(SnapshotCodec.decode(SnapshotCodec.encode(e, 0, 0, 1, 0)).entries()).containsExactlyEntriesOf(e);
    }
}
