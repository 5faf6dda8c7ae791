package io.celeriac.testing;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PythonCeleryTest {

    @Test
    void runsDebiansCeleryAndCapturesItsOutput() {
        PythonCelery.Result r = PythonCelery.run("import sys, celery, kombu\nprint(celery.__version__)\nprint(sys.argv[1], sys.argv[2])\n",
                Duration.ofSeconds(60), Map.of(), "a", "b").assertSuccess();
        assertThat(r.lines().get(0)).startsWith("5.");
        assertThat(r.lines().get(1)).isEqualTo("a b");
    }

    @Test
    void aFailingScriptReportsItsOutput() {
        PythonCelery.Result r = PythonCelery.run("import sys\nsys.stderr.write('oops')\nsys.exit(3)\n", Duration.ofSeconds(30), Map.of());
        assertThat(r.exitCode()).isEqualTo(3);
        assertThatThrownBy(r::assertSuccess).isInstanceOf(AssertionError.class).hasMessageContaining("oops");
    }

    @Test
    void aScriptThatHangsIsStoppedByItsPid() {
        assertThatThrownBy(() -> PythonCelery.run("import time\nprint('started', flush=True)\ntime.sleep(600)\n",
                Duration.ofMillis(1500), Map.of()))
                .isInstanceOf(AssertionError.class).hasMessageContaining("did not finish").hasMessageContaining("started");
    }
}
