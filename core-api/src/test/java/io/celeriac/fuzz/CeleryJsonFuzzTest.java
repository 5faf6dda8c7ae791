package io.celeriac.fuzz;

import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.ParameterizedTest;
import io.celeriac.testing.PythonPeer;
import io.celeriac.testing.CeleryVersion;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;
import io.celeriac.testing.PythonCelery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes the JSON codec with seeded, bounded random input: garbage never escapes as anything but
 * {@link JsonFormatException}; random values round-trip; and Python's own {@code json.dumps} (as kombu
 * calls it) re-encodes every Java encoding to exactly the same bytes.
 */
class CeleryJsonFuzzTest {

    private static final long SEED = 20261121L;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void garbageIsAlwaysATypedError() {
        Random r = new Random(SEED);
        int typed = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] input;
            if (r.nextBoolean()) {
                input = new byte[r.nextInt(64)];
                r.nextBytes(input);
            } else {
                byte[] valid = CeleryJson.encode(RandomValues.value(r, 3));
                input = valid.clone();
                int edits = 1 + r.nextInt(3);
                for (int e = 0; e < edits && input.length > 0; e++) {
                    input[r.nextInt(input.length)] = (byte) r.nextInt(256);
                }
                if (r.nextInt(4) == 0 && input.length > 1) {
                    input = java.util.Arrays.copyOf(input, r.nextInt(input.length));
                }
            }
            try {
                CeleryJson.decode(input);
                CeleryJson.decodeMeta(input);
            } catch (JsonFormatException expected) {
                typed++;
            } catch (RuntimeException | StackOverflowError e) {
                fail("input " + new String(input, StandardCharsets.ISO_8859_1) + " raised " + e, e);
            }
        }
        assertThat(typed).isGreaterThan(10_000);
    }

    @Test
    void randomValuesRoundTrip() {
        Random r = new Random(SEED + 1);
        for (int i = 0; i < 5_000; i++) {
            Object v = RandomValues.value(r, 4);
            byte[] encoded = CeleryJson.encode(v);
            for (byte b : encoded) {
                assertThat(b & 0xff).as("ASCII only").isLessThan(0x80);
            }
            Object back = CeleryJson.decode(encoded);
            assertThat(CeleryJson.encode(back)).as("re-encoding %s", new String(encoded, StandardCharsets.US_ASCII)).isEqualTo(encoded);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.celeriac.testing.CeleryVersion#matrix")
    void pythonReencodesEveryJavaEncodingToTheSameBytes(CeleryVersion celery) throws Exception {
        Random r = new Random(SEED + 2);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            lines.add(new String(CeleryJson.encode(RandomValues.value(r, 4)), StandardCharsets.US_ASCII));
        }
        Path in = Files.createTempFile("celeriac-json-fuzz", ".jsonl");
        try {
            Files.write(in, lines, StandardCharsets.US_ASCII);
            PythonCelery.Result py = PythonPeer.of(celery).run(String.join("\n",
                    "import sys",
                    "from kombu.utils.json import dumps, loads",
                    "with open(sys.argv[1], encoding='ascii') as f:",
                    "    for line in f:",
                    "        sys.stdout.write(dumps(loads(line.rstrip('\\n'))) + '\\n')",
                    ""), Duration.ofSeconds(120), Map.of(), in.toString()).assertSuccess();
            List<String> back = List.of(py.stdout().split("\n", -1)).subList(0, lines.size());
            for (int i = 0; i < lines.size(); i++) {
                assertThat(back.get(i)).as("value %d", i).isEqualTo(lines.get(i));
            }
        } finally {
            Files.deleteIfExists(in);
        }
    }
}
