package io.celeriac.events.snapshot;

import io.celeriac.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class RateTest {

    @Test
    void parsesCeleryNotation() {
        assertThat(Rate.parse("10/s").perSecond()).isEqualTo(10.0);
        assertThat(Rate.parse("3").perSecond()).isEqualTo(3.0);
        assertThat(Rate.parse("0.5/s").perSecond()).isEqualTo(0.5);
        assertThat(Rate.parse("120/m").perSecond()).isEqualTo(2.0);
        assertThat(Rate.parse("36/h").perSecond()).isCloseTo(0.01, within(1e-12));
        assertThat(Rate.parse(" 6 / M ").perSecond()).isEqualTo(0.1);
        assertThat(Rate.perSecond(4).perSecond()).isEqualTo(4.0);
    }

    @Test
    void rejectsWhatIsNotARate() {
        assertThatThrownBy(() -> Rate.parse("ten/s")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("'ten' is not a number");
        assertThatThrownBy(() -> Rate.parse("10/d")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("unit must be s, m or h");
        assertThatThrownBy(() -> Rate.parse("0/s")).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> Rate.parse("")).isInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> Rate.perSecond(-1)).isInstanceOf(InvalidConfigurationException.class);
    }
}
