package io.celeriac.url;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The masking on its own: parsed URLs as kombu masks them, and text that may not parse. */
class UrlMaskingTest {

    private static String masked(String url) {
        return UrlMasking.masked(BackendUrl.parse(url));
    }

    @Test
    void masksThePasswordAndDropsTheQuery() {
        assertThat(masked("redis://user:secret@host:6379/1?password=secret")).isEqualTo("redis://user:**@host:6379/1");
        assertThat(masked("redis://:secret@host")).isEqualTo("redis://:**@host/");
        assertThat(masked("redis://user@host/0")).isEqualTo("redis://user@host/0");
    }

    @Test
    void quotesTheUserAndHostAsPythonsQuoteDoesButKeepsIpv6Brackets() {
        assertThat(masked("redis://us%20%C3%A9r:pw@h/0")).isEqualTo("redis://us%20%C3%A9r:**@h/0");
        assertThat(masked("redis://:pw@[::1]:6379/0")).isEqualTo("redis://:**@[::1]:6379/0");
    }

    @Test
    void trimsALoneTripleSlashAsCeleryDoes() {
        assertThat(masked("disabled://")).isEqualTo("disabled://");
        assertThat(masked("redis://")).isEqualTo("redis://");
        assertThat(masked("file:///var/x")).isEqualTo("file:///var/x");
    }

    @Test
    void neverShowsWhatPrecedesAnAtSignInAPath() {
        assertThat(masked("redis://host/0@x")).isEqualTo("redis://host/**@x");
        assertThat(masked("/var/lib/us:pw@x.state")).isEqualTo("**@x.state");
        assertThat(masked("jdbc:sqlite:/tmp/us:pw@r.db")).isEqualTo("jdbc:sqlite:**@r.db");
        assertThat(masked("jdbc:sqlite:/tmp/r.db")).isEqualTo("jdbc:sqlite:/tmp/r.db");
        assertThat(masked("/var/run/celery/%n.state")).isEqualTo("/var/run/celery/%n.state");
    }

    @Test
    void masksEachSentinelPart() {
        assertThat(masked("sentinel://:a@h1:1/0;sentinel://h2:2/0;sentinel://u:b@h3:3/0"))
                .isEqualTo("sentinel://:**@h1:1/0;sentinel://h2:2/0;sentinel://u:**@h3:3/0");
    }

    @Test
    void masksTextThatMayNotParse() {
        assertThat(UrlMasking.maskUnparsed(null)).isEqualTo("<null>");
        assertThat(UrlMasking.maskUnparsed("redis://u:p@ss@host:x/0?k=v")).isEqualTo("redis://u:**@host:x/0");
        assertThat(UrlMasking.maskUnparsed("redis://host:1/0#frag")).isEqualTo("redis://host:1/0");
        // no scheme://user:pw@ structure: whatever precedes the '@' goes
        assertThat(UrlMasking.maskUnparsed("jdbc:postgresql:user:pw@db/x")).isEqualTo("**@db/x");
        assertThat(UrlMasking.maskUnparsed("re dis://u:pw@h/0")).isEqualTo("**@h/0");
        assertThat(UrlMasking.maskUnparsed("sentinel://:a@h1;garbage:pw@h2")).isEqualTo("sentinel://:**@h1;**@h2");
    }

    @Test
    void theValueAndItsStringAgree() {
        BackendUrl u = BackendUrl.parse("rediss://u:pw@h:1/2?ssl_cert_reqs=none");
        assertThat(u.masked()).isEqualTo(UrlMasking.masked(u)).isEqualTo(u.toString()).doesNotContain("pw");
        assertThat(BackendUrl.maskUnparsed("redis://:pw@h")).isEqualTo(UrlMasking.maskUnparsed("redis://:pw@h"));
    }
}
