package io.celeriac.tck;

import io.celeriac.InvalidConfigurationException;
import io.celeriac.spi.SettingsReader;
import io.celeriac.tck.SettingsFixture.Kind;
import io.celeriac.tck.SettingsFixture.Setting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The conformance kit for a plugin's settings: the same text means the same thing, and is refused with the same
 * message, under every scheme. Extend it in your plugin's tests and implement {@link #createFixture()}.
 *
 * <pre>{@code
 * class MySettingsTest extends SettingsContract {
 *     @Override
 *     protected SettingsFixture createFixture() {
 *         return new SettingsFixture() {
 *             public List<Setting> settings() { return List.of(Setting.bool("ssl"), Setting.integer("max_connections", 1, 10_000)); }
 *             public Object read(String name, String value) {
 *                 MyConfig c = MyConfig.parse(BackendUrl.parse("my://host/?" + name + "=" + SettingsFixture.encode(value)), options);
 *                 return name.equals("ssl") ? c.ssl() : c.maxConnections();
 *             }
 *         };
 *     }
 * }
 * }</pre>
 *
 * <p>For every setting the fixture declares, the kit writes values of its kind (accepted spellings in any case
 * and with blanks around them, signs, exponents, units, the bounds and just past them, words, overflowing
 * numbers, NaN and infinities) and checks that the plugin reads each exactly as {@link SettingsReader} reads it
 * with the declared bounds: the same value, or an {@link InvalidConfigurationException} whose only problem is
 * the reader's message, word for word. Tests are named for the kind they check ({@code boolean_},
 * {@code integer_}, {@code seconds_}, {@code size_}) and skipped, with a message, when the plugin reads no setting
 * of that kind; {@code required_} tests run for every plugin.
 */
public abstract class SettingsContract {

    private SettingsFixture fixture;

    /**
     * Creates a fixture for one test.
     *
     * @return the fixture
     * @throws Exception when it cannot be prepared
     */
    protected abstract SettingsFixture createFixture() throws Exception;

    @BeforeEach
    final void createKitFixture() throws Exception {
        fixture = createFixture();
    }

    @AfterEach
    final void closeKitFixture() throws Exception {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void required_declaresTheSettingsItReads() {
        assertThat(fixture.settings()).as("a plugin with settings declares them").isNotEmpty();
        Set<String> names = new LinkedHashSet<>();
        for (Setting s : fixture.settings()) {
            assertThat(names.add(s.name())).as("setting %s declared once", s.name()).isTrue();
        }
    }

    @Test
    void boolean_readAsEverySchemeReadsIt() throws Exception {
        checkKind(Kind.BOOLEAN, s -> List.of("true", "yes", "on", "1", "TRUE", " Yes ", "On",
                "false", "no", "off", "0", "False", " NO ", "OFF",
                "maybe", "y", "t", "2", "-1", "enabled"));
    }

    @Test
    void integer_readAsEverySchemeReadsIt() throws Exception {
        checkKind(Kind.INTEGER, s -> {
            List<String> v = new ArrayList<>(List.of(Long.toString(s.min()), Long.toString(s.max()),
                    " " + middle(s) + " ", "+" + Math.max(0, middle(s)), "seven", "1.5", "0x10", "1e3", "1_000",
                    "99999999999999999999"));
            if (s.min() > Long.MIN_VALUE) {
                v.add(Long.toString(s.min() - 1));
            }
            if (s.max() < Long.MAX_VALUE) {
                v.add(Long.toString(s.max() + 1));
            }
            return v;
        });
    }

    @Test
    void seconds_readAsEverySchemeReadsIt() throws Exception {
        checkKind(Kind.SECONDS, s -> List.of("0", "0.0", "0.25", ".5", "1e-1", "1E-2", " 0.001 ", "1", "+0.5",
                Long.toString(s.maxSeconds().getSeconds()), Long.toString(s.maxSeconds().getSeconds() + 1),
                "-1", "-0.5", "abc", "nan", "NaN", "inf", "Infinity", "1s", "0x1p3", "1,5", "1e400"));
    }

    @Test
    void size_readAsEverySchemeReadsIt() throws Exception {
        checkKind(Kind.SIZE, s -> List.of(Long.toString(s.min()), Long.toString(Math.min(s.max(), 512)), "64k",
                "64KB", "16 MiB", "1m", "1g", " 2048 ", "lots", "-1", "1.5m", "12 bytes", "99999999999g",
                s.max() < Long.MAX_VALUE ? Long.toString(s.max() + 1) : "9223372036854775808"));
    }

    /** What the values to try are for one setting. */
    private interface Values {
        List<String> of(Setting s);
    }

    private void checkKind(Kind kind, Values values) throws Exception {
        List<Setting> settings = new ArrayList<>();
        for (Setting s : fixture.settings()) {
            if (s.kind() == kind) {
                settings.add(s);
            }
        }
        assumeTrue(!settings.isEmpty(), "the plugin reads no " + kind.name().toLowerCase() + " setting");
        for (Setting s : settings) {
            int accepted = 0;
            int refused = 0;
            for (String value : values.of(s)) {
                SettingsReader reference = new SettingsReader(Map.of(s.name(), value));
                Object expected = readAs(reference, s);
                if (reference.problems().isEmpty()) {
                    accepted++;
                    Object actual = fixture.read(s.name(), value);
                    assertThat(normalize(actual)).as("%s=%s reads as every setting reads it", s.name(), value)
                            .isEqualTo(normalize(expected));
                } else {
                    refused++;
                    Throwable t = catchThrowable(() -> fixture.read(s.name(), value));
                    assertThat(t).as("%s=%s is refused as every setting refuses it", s.name(), value)
                            .isInstanceOf(InvalidConfigurationException.class);
                    assertThat(((InvalidConfigurationException) t).problems())
                            .as("%s=%s is refused with the one wording", s.name(), value)
                            .containsExactlyElementsOf(reference.problems());
                }
            }
            assertThat(accepted).as("values of %s the kit accepted", s.name()).isPositive();
            assertThat(refused).as("values of %s the kit refused", s.name()).isPositive();
        }
    }

    private static Object readAs(SettingsReader r, Setting s) {
        return switch (s.kind()) {
            case BOOLEAN -> r.bool(s.name(), false);
            case INTEGER -> r.integer(s.name(), s.min(), s.min(), s.max());
            case SECONDS -> r.seconds(s.name(), Duration.ZERO, s.zeroAllowed(), s.maxSeconds());
            case SIZE -> r.size(s.name(), s.min(), s.min(), s.max());
        };
    }

    private static Object normalize(Object v) {
        if (v instanceof Number n && !(v instanceof Double) && !(v instanceof Float)) {
            return n.longValue();
        }
        return v;
    }

    private static long middle(Setting s) {
        return s.min() / 2 + s.max() / 2;
    }
}
