package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.ResultTuple;
import io.celeriac.backend.TaskMeta;
import io.celeriac.json.CeleryJson;
import io.celeriac.tck.GoldenCorpus;
import io.celeriac.testing.PythonCelery;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pickle codec against CPython 3.11's own pickler: celeriac's protocol 4 and 5 bytes equal Python's
 * for the golden corpus and for values that cross frame and batch boundaries, and celeriac reads back
 * what Python writes with every protocol from 0 to 5.
 */
class PickleCodecTest {

    private static final HexFormat HEX = HexFormat.of();

    private static List<String> docs;
    private static List<String[]> python;

    @TempDir
    static Path dir;

    @BeforeAll
    static void pickleEverythingInPython() throws Exception {
        docs = new ArrayList<>(GoldenCorpus.metaDocuments());
        List<Object> extras = new ArrayList<>();
        extras.add("0123456789abcdef".repeat(6400)); // the observed 100 KiB string
        extras.add("x".repeat(65535));
        extras.add("y".repeat(65536));
        extras.add("\u00e9".repeat(40_000)); // 80,000 UTF-8 bytes
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", (long) i);
            row.put("name", "row-" + i);
            row.put("score", i / 7.0);
            rows.add(row);
        }
        extras.add(rows); // repeated keys, several frames, three APPENDS batches
        for (int size : new int[]{1, 2, 999, 1000, 1001, 2000, 2500}) {
            Map<String, Object> d = new LinkedHashMap<>();
            for (int i = 0; i < size; i++) {
                d.put("k" + i, (long) i);
            }
            extras.add(d);
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                l.add((long) i);
            }
            extras.add(l);
        }
        List<Object> bigStrings = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            bigStrings.add("s" + i + "-" + "z".repeat(30_000 + i * 20_000));
            bigStrings.add((long) i);
        }
        extras.add(bigStrings);
        List<Object> ints = new ArrayList<>();
        for (long v : new long[]{0, 1, -1, 255, 256, -256, -257, 65535, 65536, -65536, Integer.MAX_VALUE,
                (long) Integer.MAX_VALUE + 1, Integer.MIN_VALUE, (long) Integer.MIN_VALUE - 1, Long.MAX_VALUE,
                Long.MIN_VALUE, 1L << 39, -(1L << 39), -(1L << 47), (1L << 47)}) {
            ints.add(v);
        }
        ints.add(BigInteger.TWO.pow(64));
        ints.add(BigInteger.TWO.pow(63).negate().subtract(BigInteger.ONE));
        ints.add(BigInteger.TWO.pow(2100).negate()); // LONG4
        extras.add(ints);
        extras.add(List.of(0.0, -0.0, 1.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-310));
        for (Object e : extras) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("value", e);
            docs.add(CeleryJson.encodeToString(doc));
        }
        Path in = dir.resolve("docs.jsonl");
        Files.writeString(in, String.join("\n", docs) + "\n", StandardCharsets.UTF_8);
        PythonCelery.Result r = PythonCelery.run(PythonCelery.resource(PickleCodecTest.class, "pickle_vectors.py"),
                Duration.ofMinutes(2), Map.of(), in.toString()).assertSuccess();
        python = new ArrayList<>();
        for (String line : r.lines()) {
            python.add(line.split(" "));
        }
        assertThat(python).hasSameSizeAs(docs);
    }

    private static Object javaValue(String doc) {
        Object decoded = CeleryJson.decode(doc);
        if (decoded instanceof Map<?, ?> m && m.containsKey("status")) {
            TaskMeta meta = CeleryJson.decodeMeta(doc);
            return meta.result();
        }
        return ((Map<?, ?>) decoded).get("value");
    }

    /** What the reader gives back: an exception dict stays a dict whose tuple reads as a list. */
    private static Object readForm(Object v) {
        if (v instanceof ExceptionInfo e) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("exc_type", e.excType());
            m.put("exc_message", e.excMessage());
            m.put("exc_module", e.excModule());
            return m;
        }
        return v;
    }

    @Test
    void protocol4And5BytesEqualPythons() {
        int checked = 0;
        for (int i = 0; i < docs.size(); i++) {
            Object v = javaValue(docs.get(i));
            String what = "document " + i + ": " + abbreviate(docs.get(i));
            assertThat(HEX.formatHex(PickleWriter.dumps(v, 4))).as(what).isEqualTo(python.get(i)[4]);
            assertThat(HEX.formatHex(PickleWriter.dumps(v, 5))).as(what).isEqualTo(python.get(i)[5]);
            checked++;
        }
        assertThat(checked).isGreaterThan(60);
    }

    @Test
    void readsWhatPythonWritesWithEveryProtocol() {
        for (int i = 0; i < docs.size(); i++) {
            Object expected = readForm(javaValue(docs.get(i)));
            for (int p = 0; p <= 5; p++) {
                Object read = PickleReader.loads(HEX.parseHex(python.get(i)[p]));
                assertThat(read).as("document %d, protocol %d: %s", i, p, abbreviate(docs.get(i))).isEqualTo(expected);
            }
        }
    }

    @Test
    void observedDatabaseRowsMatchByteForByte() {
        // celery-stored-formats.md §2: what Celery 5.2.6 stored in PostgreSQL and SQLite (protocol 5)
        Map<String, Object> failure = new LinkedHashMap<>();
        failure.put("exc_type", "ValueError");
        failure.put("exc_message", PyTuple.of("bad value: 42"));
        failure.put("exc_module", "builtins");
        assertThat(hex5(42L)).isEqualTo("80054b2a2e");
        assertThat(hex5(-7L)).isEqualTo("80059506000000000000004af9ffffff2e");
        assertThat(hex5(9007199254740993L)).isEqualTo("8005950a000000000000008a07010000000000202e");
        assertThat(hex5(3.14159)).isEqualTo("8005950a0000000000000047400921f9f01b866e2e");
        assertThat(hex5(true)).isEqualTo("8005882e");
        assertThat(hex5(false)).isEqualTo("8005892e");
        assertThat(hex5("")).isEqualTo("80059504000000000000008c00942e");
        assertThat(hex5(failure)).isEqualTo("80059555000000000000007d94288c086578635f74797065948c0a56616c75654572726f72948c0b6578635f6d657373616765948c0d6261642076616c75653a2034329485948c0a6578635f6d6f64756c65948c086275696c74696e7394752e");
        assertThat(hex5(ExceptionInfo.builtin("ValueError", "bad value: 42"))).isEqualTo(hex5(failure));
        assertThat(hex5(ExceptionInfo.of("CustomError", "interop_common", "quota exceeded \u2603", 429L)))
                .isEqualTo("80059564000000000000007d94288c086578635f74797065948c0b437573746f6d4572726f72948c0b6578635f6d657373616765948c1271756f746120657863656564656420e29883944dad0186948c0a6578635f6d6f64756c65948c0e696e7465726f705f636f6d6d6f6e94752e");
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("pid", 4242L);
        started.put("hostname", "worker1@interop");
        assertThat(hex5(started)).isEqualTo("8005952b000000000000007d94288c03706964944d92108c08686f73746e616d65948c0f776f726b65723140696e7465726f7094752e");
        String big = "0123456789abcdef".repeat(6400);
        byte[] b = PickleWriter.dumps(big, 5);
        assertThat(b).hasSize(102_409);
        assertThat(HEX.formatHex(b, 0, 7)).isEqualTo("80055800900100");
    }

    @Test
    void readsThePythonWrittenGroupRow() {
        String hex = "800595be010000000000008c0d63656c6572792e726573756c74948c0b47726f7570526573756c749493948c2435336536633931302d346664312d346231362d613435362d653064363839323438323764945d942868008c0b4173796e63526573756c74949394288c2433346364346536312d663036652d343862362d616262642d643665636534383930383937948c1463656c6572792e6261636b656e64732e62617365948c10756e7069636b6c655f6261636b656e649493948c1863656c6572792e6261636b656e64732e6461746162617365948c0f44617461626173654261636b656e64949394297d94288c056462757269948c1873716c6974653a2f2f2f6f75742f696e7465726f702e6462948c0765787069726573948c086461746574696d65948c0974696d6564656c74619493944b014b004b00879452948c0e656e67696e655f6f7074696f6e73947d9475879452944e4e4e749452946806288c2462363639303330632d636139632d346639622d613461662d31373664636335303630333294681a4e4e4e749452946806288c2464613038363163372d656561392d343232352d613335622d34346436386535343135653194681a4e4e4e7494529465869452942e";
        Object v = PickleReader.loads(HEX.parseHex(hex));
        assertThat(v).isEqualTo(new ResultTuple("53e6c910-4fd1-4b16-a456-e0d68924827d", null, List.of(
                ResultTuple.of("34cd4e61-f06e-48b6-abbd-d6ece4890897"),
                ResultTuple.of("b669030c-ca9c-4f9b-a4af-176dcc506032"),
                ResultTuple.of("da0861c7-eea9-4225-a35b-44d68e5415e1"))));
    }

    @Test
    void writesTheGroupRowPythonWrites() {
        // The same structure, built from Celery's globals, gives Python's exact bytes.
        PyGlobal async = new PyGlobal("celery.result", "AsyncResult");
        Map<String, Object> kwargs = new LinkedHashMap<>();
        kwargs.put("dburi", "sqlite:///out/interop.db");
        kwargs.put("expires", new PyReduce(new PyGlobal("datetime", "timedelta"), PyTuple.of(1L, 0L, 0L)));
        kwargs.put("engine_options", new LinkedHashMap<>());
        PyReduce backend = new PyReduce(new PyGlobal("celery.backends.base", "unpickle_backend"),
                PyTuple.of(new PyGlobal("celery.backends.database", "DatabaseBackend"), PyTuple.of(), kwargs));
        List<Object> members = new ArrayList<>();
        for (String id : List.of("34cd4e61-f06e-48b6-abbd-d6ece4890897", "b669030c-ca9c-4f9b-a4af-176dcc506032",
                "da0861c7-eea9-4225-a35b-44d68e5415e1")) {
            members.add(new PyReduce(async, PyTuple.of(id, backend, null, null, null)));
        }
        PyReduce group = new PyReduce(new PyGlobal("celery.result", "GroupResult"),
                PyTuple.of("53e6c910-4fd1-4b16-a456-e0d68924827d", members));
        assertThat(HEX.formatHex(PickleWriter.dumps(group, 5))).isEqualTo("800595be010000000000008c0d63656c6572792e726573756c74948c0b47726f7570526573756c749493948c2435336536633931302d346664312d346231362d613435362d653064363839323438323764945d942868008c0b4173796e63526573756c74949394288c2433346364346536312d663036652d343862362d616262642d643665636534383930383937948c1463656c6572792e6261636b656e64732e62617365948c10756e7069636b6c655f6261636b656e649493948c1863656c6572792e6261636b656e64732e6461746162617365948c0f44617461626173654261636b656e64949394297d94288c056462757269948c1873716c6974653a2f2f2f6f75742f696e7465726f702e6462948c0765787069726573948c086461746574696d65948c0974696d6564656c74619493944b014b004b00879452948c0e656e67696e655f6f7074696f6e73947d9475879452944e4e4e749452946806288c2462363639303330632d636139632d346639622d613461662d31373664636335303630333294681a4e4e4e749452946806288c2464613038363163372d656561392d343232352d613335622d34346436386535343135653194681a4e4e4e7494529465869452942e");
    }

    private static String hex5(Object v) {
        return HEX.formatHex(PickleWriter.dumps(v, 5));
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 117) + "..." : s;
    }
}
