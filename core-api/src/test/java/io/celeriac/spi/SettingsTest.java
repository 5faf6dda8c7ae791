package io.celeriac.spi;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsTest {

    @Test
    void integersAreReadWithinTheirBoundsAndEveryProblemIsCollected() {
        Map<String, String> s = Map.of("a", " 42 ", "low", "-1", "word", "seven");
        List<String> problems = new ArrayList<>();
        assertThat(Settings.integer(s, "a", 0, 100, problems)).contains(42L);
        assertThat(Settings.integer(s, "absent", 0, 100, problems)).isEmpty();
        assertThat(Settings.integer(s, "low", 0, 100, problems)).isEmpty();
        assertThat(Settings.integer(s, "word", 0, 100, problems)).isEmpty();
        assertThat(problems).containsExactly("low must be an integer from 0 to 100, not '-1'",
                "word must be an integer from 0 to 100, not 'seven'");
    }

    @Test
    void booleansAcceptTheWordsCeleryAccepts() {
        Map<String, String> s = Map.of("y", "Yes", "n", "OFF", "one", "1", "zero", "0", "bad", "maybe");
        List<String> problems = new ArrayList<>();
        assertThat(Settings.bool(s, "y", problems)).contains(true);
        assertThat(Settings.bool(s, "n", problems)).contains(false);
        assertThat(Settings.bool(s, "one", problems)).contains(true);
        assertThat(Settings.bool(s, "zero", problems)).contains(false);
        assertThat(Settings.bool(s, "absent", problems)).isEmpty();
        assertThat(Settings.bool(s, "bad", problems)).isEmpty();
        assertThat(problems).containsExactly("bad must be true or false (also yes/no, on/off, 1/0), not 'maybe'");
    }
}
