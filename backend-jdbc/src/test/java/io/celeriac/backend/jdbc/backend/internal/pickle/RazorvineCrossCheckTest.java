package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.TaskMeta;
import io.celeriac.tck.GoldenCorpus;
import net.razorvine.pickle.Unpickler;
import net.razorvine.pickle.objects.ClassDict;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent reader, Razorvine's {@code net.razorvine:pickle}, reads celeriac's pickles of the golden
 * corpus to the same values; and the reasons celeriac does not use it to read database rows: it builds an
 * object for any global it does not know (a {@link ClassDict} for {@code os.system}), loses a dict's order
 * and replaces lone surrogates.
 */
class RazorvineCrossCheckTest {

    /** Razorvine's types as celeriac's: Integer to Long, Object[] (tuples) to List. */
    private static Object normalize(Object o) {
        if (o instanceof Integer i) {
            return i.longValue();
        }
        if (o instanceof BigInteger b && b.bitLength() < 64) {
            return b.longValue();
        }
        if (o instanceof Object[] a) {
            List<Object> l = new ArrayList<>();
            for (Object x : a) {
                l.add(normalize(x));
            }
            return l;
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object x : l) {
                out.add(normalize(x));
            }
            return out;
        }
        if (o instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(normalize(k), normalize(v)));
            return out;
        }
        return o;
    }

    private static Object plain(Object v) {
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
    void razorvineReadsCeleriacsPicklesToTheSameValues() throws Exception {
        int checked = 0;
        for (TaskMeta m : GoldenCorpus.metas()) {
            Object expected = plain(m.result());
            if (expected instanceof String s && s.chars().anyMatch(c -> Character.isSurrogate((char) c))) {
                continue; // razorvine cannot read surrogates (see below)
            }
            for (int protocol : new int[]{4, 5}) {
                Object read = new Unpickler().loads(PickleWriter.dumps(m.result(), protocol));
                assertThat(normalize(read)).as("%s, protocol %d", m.taskId(), protocol).isEqualTo(normalize(expected));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(80);
    }

    @Test
    void whyCeleriacReadsRowsWithItsOwnReader() throws Exception {
        Object evil = new Unpickler().loads("cos\nsystem\n)R.".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(evil).as("razorvine builds an object for os.system").isInstanceOf(ClassDict.class);
        Object ordered = new Unpickler().loads(PickleWriter.dumps(new LinkedHashMap<>(Map.of("b", 1L)) {{
            put("a", 2L);
            put("c", 3L);
        }}, 4));
        assertThat(ordered).isNotInstanceOf(LinkedHashMap.class);
        assertThat((String) new Unpickler().loads(PickleWriter.dumps("a\ud800b", 4))).isEqualTo("a\ufffdb");
        assertThat((String) PickleReader.loads(PickleWriter.dumps("a\ud800b", 4))).isEqualTo("a\ud800b");
    }
}
