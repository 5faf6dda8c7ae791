package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.jdbc.backend.PickleFormatException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Fuzzes the pickle reader with mutated valid pickles (bit flips, byte overwrites, truncations, splices of
 * two pickles, repeated slices) from a fixed seed: every input is read or refused with a
 * {@link PickleFormatException} (or its subclass for forbidden globals), never another exception, an
 * error or a hang.
 */
class PickleFuzzTest {

    private static final long SEED = 20261121L;
    private static final int CASES = 6_000;
    /** No single input may take longer than this, however loaded the machine. */
    private static final long MAX_NANOS_PER_INPUT = Duration.ofSeconds(2).toNanos();

    /** Pickles made by CPython (protocols 0, 2 and 4), including refused ones, as seeds for mutation. */
    private static final List<byte[]> PYTHON_SEEDS = List.of(
            "(lp0\nI1\naS'x'\np1\naF1.5\na(dp2\nS'k'\np3\nNssa.".getBytes(StandardCharsets.ISO_8859_1),
            HexFormat.of().parseHex("8002635f5f6275696c74696e5f5f0a6576616c0a71005803000000312b3171018571025271032e"),
            HexFormat.of().parseHex("80049534000000000000007d948c026f6b945d94284b017d948c0178948c05706f736978948c0673797374656d9493948c047472756594859452947365732e"),
            HexFormat.of().parseHex("63706f7369780a73797374656d0a70300a2856746f756368202f6e6f6e6578697374656e742f63656c65726961632d6d61726b65720a70310a7470320a5270330a2e"));

    @Test
    void mutatedPicklesAreReadOrRefusedWithATypedError() {
        int[] outcome = new int[2];
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random r = new Random(SEED);
            List<byte[]> corpus = new ArrayList<>(PYTHON_SEEDS);
            for (int i = 0; i < 200; i++) {
                corpus.add(PickleWriter.dumps(value(r, 4), r.nextBoolean() ? 4 : 5));
            }
            for (int i = 0; i < CASES; i++) {
                byte[] input = mutate(r, corpus);
                long start = System.nanoTime();
                try {
                    PickleReader.loads(input);
                    outcome[0]++;
                } catch (PickleFormatException expected) {
                    outcome[1]++;
                } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                    fail("case " + i + ": " + HexFormat.of().formatHex(input) + " raised " + e, e);
                }
                long took = System.nanoTime() - start;
                assertThat(took).as("case %d took %d ms: %s", i, took / 1_000_000, HexFormat.of().formatHex(input))
                        .isLessThan(MAX_NANOS_PER_INPUT);
            }
        });
        // both outcomes occur: mutations that keep a pickle valid, and ones that break it
        assertThat(outcome[0]).isGreaterThan(100);
        assertThat(outcome[1]).isGreaterThan(CASES / 2);
    }

    @Test
    void unmutatedPicklesRoundTrip() {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 1_000; i++) {
            Object v = value(r, 4);
            for (int protocol : new int[]{4, 5}) {
                byte[] p = PickleWriter.dumps(v, protocol);
                assertThat(PickleWriter.dumps(PickleReader.loads(p), protocol)).as("value %s", v).isEqualTo(p);
            }
        }
    }

    private static byte[] mutate(Random r, List<byte[]> corpus) {
        byte[] base = corpus.get(r.nextInt(corpus.size())).clone();
        int kind = r.nextInt(6);
        switch (kind) {
            case 0 -> { // bit flips
                int flips = 1 + r.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    int at = r.nextInt(base.length);
                    base[at] ^= (byte) (1 << r.nextInt(8));
                }
                return base;
            }
            case 1 -> { // byte overwrites, with bytes that are often opcodes or length bytes
                int edits = 1 + r.nextInt(3);
                for (int e = 0; e < edits; e++) {
                    base[r.nextInt(base.length)] = (byte) (r.nextBoolean() ? r.nextInt(256) : new int[]{0, 0x7f, 0x80, 0xff, '.', '(', 'N', 0x94, 0x95}[r.nextInt(9)]);
                }
                return base;
            }
            case 2 -> { // truncation
                return Arrays.copyOf(base, r.nextInt(base.length));
            }
            case 3 -> { // splice: a prefix of one pickle and a suffix of another
                byte[] other = corpus.get(r.nextInt(corpus.size()));
                int cut = r.nextInt(base.length + 1);
                int from = r.nextInt(other.length + 1);
                byte[] out = Arrays.copyOf(base, cut + other.length - from);
                System.arraycopy(other, from, out, cut, other.length - from);
                return out;
            }
            case 4 -> { // a slice repeated, as a malformed writer or a cycle in the memo would make
                int a = r.nextInt(base.length);
                int b = Math.min(base.length, a + 1 + r.nextInt(16));
                byte[] slice = Arrays.copyOfRange(base, a, b);
                int times = 1 + r.nextInt(50);
                byte[] out = new byte[base.length + slice.length * times];
                System.arraycopy(base, 0, out, 0, a);
                for (int t = 0; t < times; t++) {
                    System.arraycopy(slice, 0, out, a + t * slice.length, slice.length);
                }
                System.arraycopy(base, a, out, a + slice.length * times, base.length - a);
                return out;
            }
            default -> { // random bytes after a valid protocol header
                byte[] out = new byte[2 + r.nextInt(40)];
                r.nextBytes(out);
                out[0] = (byte) 0x80;
                out[1] = (byte) (2 + r.nextInt(4));
                return out;
            }
        }
    }

    /** A random value of the types the writer handles. */
    private static Object value(Random r, int depth) {
        switch (r.nextInt(depth <= 0 ? 8 : 11)) {
            case 0:
                return null;
            case 1:
                return r.nextBoolean();
            case 2:
                return (long) r.nextInt(600) - 300;
            case 3:
                return r.nextLong();
            case 4:
                return new BigInteger(65 + r.nextInt(200), r).negate();
            case 5:
                return r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10);
            case 6:
                return text(r);
            case 7:
                return new ExceptionInfo("ValueError", text(r), "builtins");
            case 8: {
                List<Object> l = new ArrayList<>();
                int n = r.nextInt(r.nextInt(10) == 0 ? 1200 : 5);
                for (int i = 0; i < n; i++) {
                    l.add(value(r, n > 100 ? 0 : depth - 1));
                }
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                int n = r.nextInt(5);
                for (int i = 0; i < n; i++) {
                    m.put(text(r), value(r, depth - 1));
                }
                return m;
            }
        }
    }

    private static String text(Random r) {
        int n = r.nextInt(r.nextInt(20) == 0 ? 300 : 12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(4)) {
                case 0 -> sb.append(new String[]{"\n", "'", "\"", "\\", "\u0000", "é", "日", "\ud83d\ude80"}[r.nextInt(8)]);
                case 1 -> sb.appendCodePoint(0x80 + r.nextInt(0x3000));
                default -> sb.append((char) ('a' + r.nextInt(26)));
            }
        }
        return sb.toString();
    }
}
