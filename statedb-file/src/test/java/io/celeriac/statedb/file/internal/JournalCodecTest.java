package io.celeriac.statedb.file.internal;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class JournalCodecTest {

    private static final String UUID_ID = UUID.randomUUID().toString();

    private static byte[] journal(long generation) {
        ByteSink out = new ByteSink(256);
        JournalCodec.header(out, generation);
        JournalCodec.add(out, UUID_ID, 1_763_726_400_000_001L);
        JournalCodec.add(out, "custom-ü", 1_763_726_400_000_002L);
        JournalCodec.clock(out, 1007);
        JournalCodec.discard(out, UUID_ID);
        JournalCodec.clear(out);
        JournalCodec.add(out, "last", 1_763_726_400_000_003L);
        return out.toByteArray();
    }

    private static final List<JournalCodec.Record> ALL = List.of(
            new JournalCodec.Add(UUID_ID, 1_763_726_400_000_001L),
            new JournalCodec.Add("custom-ü", 1_763_726_400_000_002L),
            new JournalCodec.Clock(1007),
            new JournalCodec.Discard(UUID_ID),
            new JournalCodec.Clear(),
            new JournalCodec.Add("last", 1_763_726_400_000_003L));

    @Test
    void recordsRoundTrip() {
        JournalCodec.Scan s = JournalCodec.scan(journal(3), 3);
        assertThat(s.corruption()).isNull();
        assertThat(s.tornBytes()).isZero();
        assertThat(s.records()).containsExactlyElementsOf(ALL);
    }

    @Test
    void everyTruncationIsATornTailKeepingTheRecordsBeforeIt() {
        byte[] full = journal(3);
        for (int len = 0; len < full.length; len++) {
            JournalCodec.Scan s = JournalCodec.scan(Arrays.copyOf(full, len), 3);
            assertThat(s.corruption()).as("cut to %d", len).isNull();
            assertThat(s.records()).as("cut to %d", len).isEqualTo(ALL.subList(0, s.records().size()));
            assertThat(s.validEnd() + s.tornBytes()).isEqualTo(len);
        }
    }

    @Test
    void zerosAfterTheLastRecordAreATornTail() {
        byte[] full = journal(3);
        byte[] padded = Arrays.copyOf(full, full.length + 4096);
        JournalCodec.Scan s = JournalCodec.scan(padded, 3);
        assertThat(s.corruption()).isNull();
        assertThat(s.records()).containsExactlyElementsOf(ALL);
        assertThat(s.tornBytes()).isEqualTo(4096);
    }

    @Test
    void damageBeforeTheLastRecordIsCorruptionNamingTheOffset() {
        byte[] full = journal(3);
        int second = JournalCodec.HEADER + 4 + ByteSource.getInt(full, JournalCodec.HEADER) + 4;
        byte[] bad = full.clone();
        bad[second + 6] ^= 0x01; // inside the second record's payload
        JournalCodec.Scan s = JournalCodec.scan(bad, 3);
        assertThat(s.corruption()).contains("offset " + second);
        assertThat(s.records()).containsExactly(ALL.get(0));
    }

    @Test
    void aDamagedLastRecordIsATornTail() {
        byte[] full = journal(3);
        byte[] bad = full.clone();
        bad[bad.length - 2] ^= 0x40; // the last record's checksum
        JournalCodec.Scan s = JournalCodec.scan(bad, 3);
        assertThat(s.corruption()).isNull();
        assertThat(s.records()).containsExactlyElementsOf(ALL.subList(0, ALL.size() - 1));
    }

    @Test
    void theHeaderIsChecked() {
        assertThat(JournalCodec.scan(journal(3), 4).corruption()).contains("generation 3").contains("says 4");
        byte[] bad = journal(3);
        bad[15] ^= 1;
        assertThat(JournalCodec.scan(bad, 3).corruption()).contains("header checksum");
        byte[] foreign = "not a journal at all, just text".getBytes();
        assertThat(JournalCodec.scan(foreign, 3).corruption()).contains("magic");
    }
}
