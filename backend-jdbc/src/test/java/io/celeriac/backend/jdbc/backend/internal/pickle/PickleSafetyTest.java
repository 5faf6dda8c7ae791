package io.celeriac.backend.jdbc.backend.internal.pickle;

import io.celeriac.backend.ExceptionInfo;
import io.celeriac.backend.jdbc.backend.ForbiddenPickleException;
import io.celeriac.backend.jdbc.backend.PickleFormatException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader refuses every pickle that would make Python run or build something, with a typed error naming
 * the global or opcode, and reads the few Celery and Python objects it allows. The hex vectors were made by
 * CPython 3.11's {@code pickle.dumps}.
 */
class PickleSafetyTest {

    private static final HexFormat HEX = HexFormat.of();

    private static Object loads(String hex) {
        return PickleReader.loads(HEX.parseHex(hex));
    }

    private static void assertForbidden(byte[] pickle, String global) {
        assertThatThrownBy(() -> PickleReader.loads(pickle))
                .isInstanceOf(ForbiddenPickleException.class)
                .satisfies(e -> assertThat(((ForbiddenPickleException) e).global()).isEqualTo(global));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void pythonMadePayloadsThatRunCommandsAreRefused() {
        // os.system pickles as posix.system; protocol 0 (GLOBAL), 2 (GLOBAL of __builtin__), 5 (STACK_GLOBAL)
        assertForbidden(HEX.parseHex("63706f7369780a73797374656d0a70300a2856746f756368202f6e6f6e6578697374656e742f63656c65726961632d6d61726b65720a70310a7470320a5270330a2e"), "posix.system");
        assertForbidden(HEX.parseHex("8002635f5f6275696c74696e5f5f0a6576616c0a71005803000000312b3171018571025271032e"), "__builtin__.eval");
        assertForbidden(HEX.parseHex("80059539000000000000008c0a73756270726f63657373948c05506f70656e9493945d94288c05746f756368948c0e2f6e6f6e6578697374656e742f6d9465859452942e"), "subprocess.Popen");
        // nested inside a dict, after values that are fine
        assertForbidden(HEX.parseHex("80049534000000000000007d948c026f6b945d94284b017d948c0178948c05706f736978948c0673797374656d9493948c047472756594859452947365732e"), "posix.system");
        assertThatThrownBy(() -> loads("8002635f5f6275696c74696e5f5f0a6576616c0a71005803000000312b3171018571025271032e"))
                .hasMessageContaining("__builtin__.eval").hasMessageContaining("nothing was executed");
    }

    @Test
    void objectConstructingOpcodesAreRefused() {
        assertForbidden(ascii("(S'ls'\nios\nsystem\n."), "INST");
        assertForbidden(ascii("(cos\nsystem\nS'ls'\no."), "os.system"); // the GLOBAL is refused before OBJ
        assertForbidden(ascii("(N\u0081."), "NEWOBJ");
        assertForbidden(ascii("\u0080\u0004N)}\u0092."), "NEWOBJ_EX");
        assertForbidden(ascii("Pfoo\n."), "PERSID");
        assertForbidden(ascii("\u0080\u0002N\u0051."), "PERSID");
        assertForbidden(ascii("\u0080\u0002\u0082\u0001."), "EXT");
        assertForbidden(ascii("\u0080\u0005\u0097."), "NEXT_BUFFER");
        // BUILD is allowed only on an exception
        assertForbidden(ascii("\u0080\u0002}}b."), "BUILD");
        // REDUCE of something that is not an allowed global
        assertForbidden(ascii("\u0080\u0004\u008c\u0001x)R."), "REDUCE");
    }

    /** Bytes from ints (opcodes, lengths) and strings (ASCII text). */
    private static byte[] b(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                out.write(i);
            } else {
                out.writeBytes(((String) p).getBytes(StandardCharsets.ISO_8859_1));
            }
        }
        return out.toByteArray();
    }

    @Test
    void onlyTwoNamesOfTheAppAreAccepted() {
        // _unpickle_appattr would call any attribute path of the current app, e.g. app.control.purge()
        byte[] purge = b(0x80, 4, 0x8c, 15, "celery.app.base", 0x8c, 17, "_unpickle_appattr", 0x93, 0x8c, 13, "control.purge",
                ")", 0x86, "R.");
        assertForbidden(purge, "celery.app.base._unpickle_appattr('control.purge')");
        byte[] async = b(0x80, 4, 0x8c, 15, "celery.app.base", 0x8c, 17, "_unpickle_appattr", 0x93, 0x8c, 11, "AsyncResult",
                "(", 0x8c, 2, "idNNN", 0x88, "t", 0x86, "R.");
        assertThatThrownBy(() -> PickleReader.loads(async)).isInstanceOf(PickleFormatException.class); // its parent is not a result
        byte[] ok = b(0x80, 4, 0x8c, 15, "celery.app.base", 0x8c, 17, "_unpickle_appattr", 0x93, 0x8c, 11, "AsyncResult",
                "(", 0x8c, 2, "idNNNNt", 0x86, "R.");
        assertThat(PickleReader.loads(ok)).isEqualTo(io.celeriac.backend.ResultTuple.of("id"));
    }

    @Test
    void aClassOnItsOwnIsNotAValue() {
        assertForbidden(b(0x80, 4, 0x8c, 13, "celery.result", 0x8c, 11, "GroupResult", 0x93, "."), "celery.result.GroupResult");
    }

    @Test
    void malformedInputIsATypedErrorWithoutHugeAllocations() {
        for (String bad : List.of("", "\u0080\u0005", "\u0080\u0005K", "\u0080\u0005N", "a.", "(.", "\u0080\u0006N.",
                "\u00ff.", "h\u0001.", "\u0080\u0004X\u00ff\u00ff\u00ff\u007fabc.", "\u0080\u0004\u008d\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f.",
                "\u0080\u0004\u0095\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u007f", "\u0080\u0004\u008b\u00ff\u00ff\u00ff\u007f.",
                "\u0080\u0004\u008c\u0002\u00c3(.", "I12x\n.", "S'unterminated\n.", "d.", "\u0080\u0004}(N.")) {
            byte[] b = ascii(bad);
            assertThatThrownBy(() -> PickleReader.loads(b)).as("%s", HEX.formatHex(b)).isInstanceOf(PickleFormatException.class);
        }
    }

    @Test
    void deepAndRecursiveStructuresAreRefusedCleanly() {
        ByteArrayOutputStream deep = new ByteArrayOutputStream();
        deep.write(0x80);
        deep.write(4);
        for (int i = 0; i < 100_000; i++) {
            deep.write(']');
        }
        for (int i = 0; i < 99_999; i++) {
            deep.write('a');
        }
        deep.write('.');
        assertThatThrownBy(() -> PickleReader.loads(deep.toByteArray())).isInstanceOf(PickleFormatException.class)
                .hasMessageContaining("nests deeper");
        assertThatThrownBy(() -> loads("80049506000000000000005d946800612e")).isInstanceOf(PickleFormatException.class)
                .hasMessageContaining("contains itself");
    }

    @Test
    void theAllowedObjectsReadAsJavaValues() {
        assertThat(loads("8005953b000000000000008c086275696c74696e73948c0a56616c75654572726f729493948c03626164944b03869452947d948c056578747261948c0573746174659473622e"))
                .isEqualTo(ExceptionInfo.of("ValueError", "builtins", "bad", 3L));
        assertThat(loads("8004954b000000000000008c1163656c6572792e657863657074696f6e73948c0a43686f72644572726f729493948c20446570656e64656e63792078207261697365642056616c75654572726f72282994859452942e"))
                .isEqualTo(ExceptionInfo.chordError("Dependency x raised ValueError()"));
        assertThat(loads("800495ab000000000000008c1a63656c6572792e7574696c732e73657269616c697a6174696f6e948c1c556e7069636b6c6561626c65457863657074696f6e57726170706572949394288c0b70726f6a2e6572726f7273948c055765697264948c0161944b0186948c0b576569726428612c20312994749452947d94288c0a6578635f6d6f64756c659468038c0c6578635f636c735f6e616d659468048c086578635f617267739468068c047465787494680775622e"))
                .isEqualTo(new ExceptionInfo("Weird", List.of("a", 1L), "proj.errors"));
        assertThat(loads("80049524000000000000008c086461746574696d65948c0974696d6564656c74619493944b024b054b07879452942e"))
                .isEqualTo(Duration.ofDays(2).plusSeconds(5).plusNanos(7000));
        assertThat(loads("8002635f5f6275696c74696e5f5f0a7365740a71005d71012858010000007871024b024b01658571035271042e"))
                .isEqualTo(Set.of(1L, 2L, "x"));
        assertThat(loads("8004950600000000000000284b0191942e")).isEqualTo(Set.of(1L));
        byte[] expected = {0, (byte) 0xff, 'a', 'b'};
        assertThat((byte[]) loads("8002635f636f646563730a656e636f64650a7100580500000000c3bf6162710158060000006c6174696e3171028671035271042e")).isEqualTo(expected);
        assertThat((byte[]) loads("8004950800000000000000430400ff6162942e")).isEqualTo(expected);
        assertThat((byte[]) loads("8005950d000000000000009602000000000000007879942e")).isEqualTo(new byte[]{'x', 'y'});
        assertThat((byte[]) loads("8003636275696c74696e730a6279746561727261790a71004302787971018571025271032e")).isEqualTo(new byte[]{'x', 'y'});
        assertThat(loads("80049510000000000000007d944b018c01619486948c017694732e")).isEqualTo(Map.of(List.of(1L, "a"), "v"));
        assertThat(loads("5668e95c75323630335c5530303031663638305c75303035635c75303030610a70300a2e")).isEqualTo("h\u00e9\u2603\ud83d\ude80\\\n");
        assertThat(loads("80049509000000000000008c0561eda08062942e")).isEqualTo("a\ud800b");
        assertThat(HEX.formatHex(PickleWriter.dumps("a\ud800b", 4))).isEqualTo("80049509000000000000008c0561eda08062942e");
    }

    @Test
    void valuesPythonHasNoTypeForCannotBeWritten() {
        assertThatThrownBy(() -> PickleWriter.dumps(new Object(), 4)).isInstanceOf(PickleFormatException.class)
                .hasMessageContaining("java.lang.Object");
        assertThatThrownBy(() -> PickleWriter.dumps(1L, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
