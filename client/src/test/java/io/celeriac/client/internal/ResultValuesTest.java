package io.celeriac.client.internal;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Decoded JSON values read as Java types: as they are, or by a lossless number conversion. */
class ResultValuesTest {

    @Test
    void numbersConvertWithoutLoss() {
        assertThat(ResultValues.convert(5L, Integer.class)).isEqualTo(5);
        assertThat(ResultValues.convert(5L, int.class)).isEqualTo(5);
        assertThat(ResultValues.convert(5L, Double.class)).isEqualTo(5.0);
        assertThat(ResultValues.convert(1.5, BigDecimal.class)).isEqualTo(BigDecimal.valueOf(1.5));
        assertThat(ResultValues.convert(BigInteger.TWO.pow(70), BigInteger.class)).isEqualTo(BigInteger.TWO.pow(70));
        assertThat(ResultValues.convert(7L, Number.class)).isEqualTo(7L);
        assertThatThrownBy(() -> ResultValues.convert(1L << 40, Integer.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResultValues.convert(BigInteger.TWO.pow(70), Long.class))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResultValues.convert(1.5, Long.class)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void othersPassAsTheyAreOrFail() {
        assertThat(ResultValues.convert("x", String.class)).isEqualTo("x");
        assertThat(ResultValues.convert(List.of(1L), List.class)).isEqualTo(List.of(1L));
        assertThat(ResultValues.convert(null, String.class)).isNull();
        assertThat(ResultValues.convert(true, boolean.class)).isTrue();
        assertThatThrownBy(() -> ResultValues.convert(null, int.class)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ResultValues.convert("5", Long.class)).isInstanceOf(IllegalArgumentException.class);
    }
}
