package io.celeriac.statedb.file.internal;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Fuzzes the readers of the state files with mutated valid snapshots and journals from a fixed seed: bit
 * flips, overwrites, truncations and splices, half of them with the checksums recomputed so that the
 * mutation reaches the parser behind them. A snapshot decodes or is refused with a {@link FormatException};
 * a journal scan never throws and reports corruption as text; nothing hangs, allocates without bound or
 * escapes as another exception.
 */
class StateFileFuzzTest {

    private static final long SEED = 20261121L;
    private static final int CASES = 4_000;
    private static final long MAX_NANOS_PER_INPUT = Duration.ofSeconds(2).toNanos();

    @Test
    void mutatedSnapshotsDecodeOrAreRefusedWithAFormatException() {
        int[] outcome = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(SEED);
            byte[][] seeds = new byte[40][];
            for (int i = 0; i < seeds.length; i++) {
                seeds[i] = SnapshotCodec.encode(revoked(r), r.nextInt(10_000), 10_000 + r.nextInt(1000), 1 + r.nextInt(5),
                        1_763_726_400_000_000L + r.nextInt(1_000_000));
            }
            for (int i = 0; i < CASES; i++) {
                byte[] input = mutate(r, seeds);
                if (r.nextBoolean() && input.length >= SnapshotCodec.HEADER + 4) {
                    // make the checksums right again, so the mutation reaches the parser
                    ByteSink.putInt(input, 60, SnapshotCodec.crc(input, 0, 60));
                    ByteSink.putInt(input, input.length - 4, SnapshotCodec.crc(input, 0, input.length - 4));
                }
                long start = System.nanoTime();
                try {
                    SnapshotCodec.decode(input);
                    outcome[0]++;
                } catch (FormatException expected) {
                    outcome[1]++;
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    fail("case " + i + ": " + HexFormat.of().formatHex(input) + " raised " + e, e);
                }
                assertThat(System.nanoTime() - start).as("case %d", i).isLessThan(MAX_NANOS_PER_INPUT);
            }
        });
        assertThat(outcome[1]).isGreaterThan(CASES / 2);
    }

    @Test
    void mutatedJournalsScanWithoutThrowing() {
        int[] corrupt = new int[1];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(SEED + 1);
            byte[][] seeds = new byte[40][];
            for (int i = 0; i < seeds.length; i++) {
                seeds[i] = journal(r, 7);
            }
            for (int i = 0; i < CASES; i++) {
                byte[] input = mutate(r, seeds);
                if (r.nextBoolean()) {
                    fixJournalChecksums(input);
                }
                long start = System.nanoTime();
                try {
                    JournalCodec.Scan s = JournalCodec.scan(input, 7);
                    assertThat(s.validEnd() + s.tornBytes()).isLessThanOrEqualTo(input.length);
                    if (s.corruption() != null) {
                        corrupt[0]++;
                    }
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    fail("case " + i + ": " + HexFormat.of().formatHex(input) + " raised " + e, e);
                }
                assertThat(System.nanoTime() - start).as("case %d", i).isLessThan(MAX_NANOS_PER_INPUT);
            }
        });
        assertThat(corrupt[0]).isGreaterThan(CASES / 10);
    }

    private static Map<String, Double> revoked(Random r) {
        Map<String, Double> m = new LinkedHashMap<>();
        int n = r.nextInt(r.nextInt(8) == 0 ? 300 : 6);
        for (int i = 0; i < n; i++) {
            m.put(r.nextBoolean() ? new UUID(r.nextLong(), r.nextLong()).toString() : "id-" + r.nextInt() + "-é\n'",
                    1_763_726_400.0 + r.nextInt(100_000) / 7.0);
        }
        return m;
    }

    private static byte[] journal(Random r, long generation) {
        ByteSink out = new ByteSink(256);
        JournalCodec.header(out, generation);
        int n = 1 + r.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(5)) {
                case 0 -> JournalCodec.add(out, new UUID(r.nextLong(), r.nextLong()).toString(), 1_763_726_400_000_000L + i);
                case 1 -> JournalCodec.add(out, "custom-" + r.nextInt() + "-ü", 1_763_726_400_000_000L + i);
                case 2 -> JournalCodec.discard(out, "custom-" + r.nextInt(3));
                case 3 -> JournalCodec.clock(out, r.nextInt(100_000));
                default -> JournalCodec.clear(out);
            }
        }
        return out.toByteArray();
    }

    /** Recomputes the header checksum and the checksum of every record whose length field fits. */
    private static void fixJournalChecksums(byte[] b) {
        if (b.length < JournalCodec.HEADER) {
            return;
        }
        ByteSink.putInt(b, 20, SnapshotCodec.crc(b, 0, 20));
        int pos = JournalCodec.HEADER;
        for (int guard = 0; guard < 10_000 && pos + 8 <= b.length; guard++) {
            long len = ByteSource.getInt(b, pos) & 0xFFFFFFFFL;
            if (len == 0 || pos + 4 + len + 4 > b.length) {
                return;
            }
            ByteSink.putInt(b, pos + 4 + (int) len, SnapshotCodec.crc(b, pos, (int) len + 4));
            pos += 4 + (int) len + 4;
        }
    }

    private static byte[] mutate(Random r, byte[][] seeds) {
        byte[] base = seeds[r.nextInt(seeds.length)].clone();
        switch (r.nextInt(5)) {
            case 0 -> {
                for (int f = 1 + r.nextInt(3); f > 0; f--) {
                    int at = r.nextInt(base.length);
                    base[at] ^= (byte) (1 << r.nextInt(8));
                }
                return base;
            }
            case 1 -> {
                for (int e = 1 + r.nextInt(3); e > 0; e--) {
                    base[r.nextInt(base.length)] = (byte) new int[]{0, 1, 0x7f, 0x80, 0xff, r.nextInt(256)}[r.nextInt(6)];
                }
                return base;
            }
            case 2 -> {
                return Arrays.copyOf(base, r.nextInt(base.length));
            }
            case 3 -> {
                byte[] other = seeds[r.nextInt(seeds.length)];
                int cut = r.nextInt(base.length + 1);
                int from = r.nextInt(other.length + 1);
                byte[] out = Arrays.copyOf(base, cut + other.length - from);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
            default -> {
                // a header field (counts, lengths, sizes) set to an extreme value
                int at = 12 + 4 * r.nextInt(12);
                if (at + 4 <= base.length) {
                    ByteSink.putInt(base, at, new int[]{-1, Integer.MAX_VALUE, Integer.MAX_VALUE - 8, 1 << 30, 16, 0}[r.nextInt(6)]);
                }
                return base;
            }
        }
    }
}
