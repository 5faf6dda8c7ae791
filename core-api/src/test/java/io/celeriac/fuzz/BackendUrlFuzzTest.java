package io.celeriac.fuzz;

import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Fuzzes the URL parser: any text gives a URL or an {@link InvalidUrlException}, never another exception,
 * and a password never shows in the masked URL or in an error message.
 */
class BackendUrlFuzzTest {

    private static final String[] SCHEMES = {"redis", "rediss", "sentinel", "socket", "db+postgresql", "db+sqlite",
            "db+postgresql+psycopg2", "disabled", "memory", "file", "jdbc:postgresql", "jdbc:sqlite", "1bad", "", "red is"};

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void anyTextParsesOrFailsWithATypedErrorAndNeverShowsThePassword() {
        int parsed = 0;
        int invalid = 0;
        for (int i = 0; i < 60_000; i++) {
            Random r = new Random(20261121L * 31 + i);
            String secret = "S3cr" + Integer.toHexString(r.nextInt()) + "t";
            String scheme = SCHEMES[r.nextInt(SCHEMES.length)];
            String user = r.nextBoolean() ? RandomValues.text(r, 6).replace("@", "") : "";
            String host = r.nextInt(4) == 0 ? RandomValues.text(r, 8) : "host" + r.nextInt(10);
            String port = r.nextInt(3) == 0 ? ":" + RandomValues.text(r, 6) : (r.nextBoolean() ? ":" + r.nextInt(100_000) : "");
            String path = r.nextBoolean() ? "/" + RandomValues.text(r, 10) : "";
            String query = r.nextBoolean() ? "?" + RandomValues.text(r, 10) + "=" + RandomValues.text(r, 5) : "";
            String sep = new String[]{"://", "://", "://", "//", ":", ":/", ""}[r.nextInt(7)];
            String url = scheme + sep + user + ":" + secret + "@" + host + port + path + query;
            if (r.nextInt(5) == 0) {
                url = url + ";" + url;
            }
            try {
                BackendUrl u = BackendUrl.parse(url);
                parsed++;
                assertThat(u.masked()).as(url).doesNotContain(secret);
                assertThat(u.toString()).doesNotContain(secret);
            } catch (InvalidUrlException e) {
                invalid++;
                assertThat(e.getMessage()).as(url).doesNotContain(secret);
            } catch (RuntimeException e) {
                fail("parsing " + url + " raised " + e, e);
            }
        }
        assertThat(parsed).isGreaterThan(1000);
        assertThat(invalid).isGreaterThan(1000);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void arbitraryTextNeverEscapesAsAnUntypedError() {
        Random r = new Random(7);
        for (int i = 0; i < 30_000; i++) {
            String s = RandomValues.text(r, 40);
            try {
                BackendUrl.parse(s).masked();
            } catch (InvalidUrlException expected) {
                // fine
            } catch (RuntimeException e) {
                fail("parsing " + s + " raised " + e, e);
            }
        }
    }
}
