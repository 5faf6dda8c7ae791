package io.celeriac.url;

import io.celeriac.Celeriac;
import io.celeriac.registry.UnknownSchemeException;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Typos in a URL are pointed at: a slash missing after the scheme, a misspelt scheme. */
class TypoTest {

    @Test
    void aSingleSlashAfterTheSchemeIsAUrlErrorNotAFilePath() {
        assertThatThrownBy(() -> BackendUrl.parse("redis:/127.0.0.1:6379/6"))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("'redis:' is not followed by '//': a URL reads redis://127.0.0.1:6379/6");
        assertThatThrownBy(() -> BackendUrl.parse("redis:127.0.0.1:6379/6"))
                .isInstanceOf(InvalidUrlException.class).hasMessageContaining("redis://127.0.0.1:6379/6");
        assertThatThrownBy(() -> BackendUrl.parse("redis:/user:s3cret@h:6379/0"))
                .isInstanceOf(InvalidUrlException.class)
                .hasMessageContaining("redis://**@h:6379/0").hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> Celeriac.discover().openBackend("redis:/127.0.0.1:6379/6"))
                .isInstanceOf(InvalidUrlException.class).hasMessageNotContaining("'file'");
    }

    @Test
    void pathsStayPaths() {
        assertThat(BackendUrl.parse("/var/run/celery/%n.state").scheme()).isEqualTo("file");
        assertThat(BackendUrl.parse("worker.state").path()).isEqualTo("worker.state");
        assertThat(BackendUrl.parse("C:/celery/worker.state").scheme()).isEqualTo("file");
        BackendUrl rfc = BackendUrl.parse("file:/var/run/worker.state");
        assertThat(rfc.scheme()).isEqualTo("file");
        assertThat(rfc.path()).isEqualTo(BackendUrl.parse("file:///var/run/worker.state").path());
    }

    @Test
    void aMisspeltSchemeOffersTheLikelyOne() {
        assertThatThrownBy(() -> Celeriac.discover().openBackend("memroy://"))
                .isInstanceOf(UnknownSchemeException.class)
                .hasMessageContaining("Unknown backend scheme 'memroy' in memroy://. Did you mean 'memory'?");
        Set<String> installed = Set.of("redis", "rediss", "db+postgresql", "db+sqlite", "amqp", "rpc", "memory");
        assertThat(UnknownSchemeException.suggestion("reddis", installed)).contains("redis");
        assertThat(UnknownSchemeException.suggestion("db+postgres", installed)).contains("db+postgresql");
        assertThat(UnknownSchemeException.suggestion("amqps", Set.of("amqp", "rpc"))).contains("amqp");
        assertThat(UnknownSchemeException.suggestion("mongodb", installed)).isEmpty();
        assertThat(UnknownSchemeException.suggestion("rpc", installed)).as("no typo").isEmpty();
    }
}
