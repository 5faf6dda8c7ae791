package io.celeriac.backend.amqp;

import io.celeriac.Celeriac;
import io.celeriac.InvalidConfigurationException;
import io.celeriac.backend.amqp.AmqpConnectionConfig.CertReqs;
import io.celeriac.backend.amqp.AmqpConnectionConfig.Endpoint;
import io.celeriac.backend.amqp.broker.AmqpBrokerConfig;
import io.celeriac.backend.amqp.broker.AmqpBrokerProvider;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Celery's {@code broker_url} forms for RabbitMQ, read as kombu reads them; no server needed. */
class AmqpConfigTest {

    private static AmqpConnectionConfig parse(String url) {
        return AmqpBrokerConfig.parse(BackendUrl.parse(url), BrokerOptions.defaults()).connection();
    }

    private static AmqpBrokerConfig broker(String url, Map<String, String> props) {
        return AmqpBrokerConfig.parse(BackendUrl.parse(url), new BrokerOptions(props));
    }

    @Test
    void celerysDefaultUrl() {
        AmqpConnectionConfig c = parse("amqp://guest:guest@127.0.0.1:5672//");
        assertThat(c.endpoints()).containsExactly(new Endpoint("127.0.0.1", 5672));
        assertThat(c.user()).isEqualTo("guest");
        assertThat(c.password()).isEqualTo("guest");
        assertThat(c.virtualHost()).isEqualTo("/");
        assertThat(c.tls()).isFalse();
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(120));
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(4));
        assertThat(c.masked()).isEqualTo("amqp://guest:**@127.0.0.1:5672//");
        assertThat(c.toString()).doesNotContain(":guest@");
    }

    @ParameterizedTest(name = "{0} -> vhost ''{1}''")
    @CsvSource(delimiter = '|', value = {
            "amqp://h                 | /",
            "amqp://h/                | /",
            "amqp://h//               | /",
            "amqp://h/%2F             | /",
            "amqp://h/foo             | foo",
            "amqp://h//foo            | /foo",
            "amqp://h/%2Ffoo          | /foo",
            "amqp://h/a%20b           | a b",
            "amqp://h/foo/bar         | foo/bar",
            "amqp://h:5673/celery%2Fv | celery/v",
    })
    void virtualHostAsKombuReadsIt(String url, String vhost) {
        assertThat(parse(url.strip()).virtualHost()).isEqualTo(vhost.strip());
    }

    @Test
    void defaultsAsKombusPyamqpTransport() {
        AmqpConnectionConfig c = parse("amqp://");
        assertThat(c.endpoints()).containsExactly(new Endpoint("localhost", 5672));
        assertThat(c.user()).isEqualTo("guest");
        assertThat(c.password()).isEqualTo("guest");
        assertThat(c.virtualHost()).isEqualTo("/");
        assertThat(parse("amqps://h").endpoints()).containsExactly(new Endpoint("h", 5671));
        assertThat(parse("amqps://h").tls()).isTrue();
        assertThat(parse("amqps://h").certReqs()).isEqualTo(CertReqs.REQUIRED);
        assertThat(parse("amqps://h").checkHostname()).isTrue();
        assertThat(parse("amqp://h?ssl=true").endpoints()).containsExactly(new Endpoint("h", 5671));
    }

    @Test
    void everyKombuSchemeIsAmqp() {
        for (String scheme : List.of("amqp", "pyamqp", "librabbitmq")) {
            AmqpConnectionConfig c = parse(scheme + "://u:p@h:1234/v");
            assertThat(c.scheme()).isEqualTo(scheme);
            assertThat(c.endpoints()).containsExactly(new Endpoint("h", 1234));
            assertThat(c.masked()).isEqualTo(scheme + "://u:**@h:1234/v");
        }
        assertThat(new AmqpBrokerProvider().schemes()).containsExactlyInAnyOrder("amqp", "amqps", "pyamqp", "librabbitmq");
        assertThat(Celeriac.discover().brokers().schemes()).contains("amqp", "amqps", "pyamqp", "librabbitmq");
    }

    @Test
    void encodedCredentials() {
        AmqpConnectionConfig c = parse("amqp://us%40er:p%40ss%3Aw%2Fd@h//");
        assertThat(c.user()).isEqualTo("us@er");
        assertThat(c.password()).isEqualTo("p@ss:w/d");
        assertThat(c.masked()).isEqualTo("amqp://us%40er:**@h:5672//").doesNotContain("p@ss");
        AmqpConnectionConfig onlyUser = parse("amqp://bob@h//");
        assertThat(onlyUser.user()).isEqualTo("bob");
        assertThat(onlyUser.password()).isNull();
        assertThat(onlyUser.masked()).isEqualTo("amqp://bob@h:5672//");
    }

    @Test
    void failoverListsAsKombuSplitsThem() {
        AmqpConnectionConfig c = parse("amqp://u:secret@h1:5672/v;amqp://h2:5673/v;h3;h4:5674");
        assertThat(c.endpoints()).containsExactly(new Endpoint("h1", 5672), new Endpoint("h2", 5673),
                new Endpoint("h3", 5672), new Endpoint("h4", 5674));
        assertThat(c.user()).isEqualTo("u");
        assertThat(c.password()).isEqualTo("secret");
        assertThat(c.virtualHost()).isEqualTo("v");
        assertThat(c.masked()).isEqualTo("amqp://u:**@h1:5672/v;amqp://u:**@h2:5673/v;amqp://u:**@h3:5672/v;amqp://u:**@h4:5674/v");
        assertThat(c.failoverStrategy()).isEqualTo(AmqpConnectionConfig.FailoverStrategy.ROUND_ROBIN);
        assertThat(parse("amqp://h1;amqp://h2").endpoints()).hasSize(2);
        assertThat(broker("amqp://h1//?failover_strategy=shuffle;amqp://h2//", Map.of()).connection().failoverStrategy())
                .isEqualTo(AmqpConnectionConfig.FailoverStrategy.SHUFFLE);
    }

    @Test
    void failoverPartsMayNotChangeCredentialsOrVhost() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> parse("amqp://u:pw-alpha@h1/v;amqp://w:pw-beta@h2/other;amqps://h3/v;"));
        assertThat(e.problems()).anyMatch(p -> p.contains("failover part 2") && p.contains("user"));
        assertThat(e.problems()).anyMatch(p -> p.contains("failover part 2") && p.contains("password"));
        assertThat(e.problems()).anyMatch(p -> p.contains("failover part 2") && p.contains("virtual host"));
        assertThat(e.problems()).anyMatch(p -> p.contains("failover part 3") && p.contains("scheme"));
        assertThat(e.problems()).anyMatch(p -> p.contains("failover part 4") && p.contains("empty"));
        assertThat(e.getMessage()).doesNotContain("pw-alpha").doesNotContain("pw-beta");
        assertThat(catchThrowableOfType(InvalidConfigurationException.class, () -> parse("amqp://h1//;amqp://h2//?heartbeat=1"))
                .problems()).containsExactly("failover part 2: settings (query parameters) are read from the first part only");
    }

    @Test
    void settingsFromTheQueryOrTheOptionsTheQueryWinning() {
        AmqpBrokerConfig c = broker("amqp://h//?heartbeat=30&confirm_timeout=2.5",
                Map.of("heartbeat", "10", "connect_timeout", "7", "channel_pool_size", "3", "consumer_threads", "2",
                        "recovery_interval", "0.5", "close_timeout", "1"));
        assertThat(c.connection().heartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.connection().connectTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.connection().recoveryInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.confirmTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(c.channelPoolSize()).isEqualTo(3);
        assertThat(c.consumerThreads()).isEqualTo(2);
        assertThat(c.closeTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(broker("amqp://h//?heartbeat=0", Map.of()).connection().heartbeat()).isZero();
    }

    @Test
    void everyBadSettingIsReportedAtOnceWithoutThePassword() {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> broker("amqp://guest:hunter2@h//?heartbeat=soon&connect_timeout=0&channel_pool_size=0"
                        + "&failover_strategy=random&ssl_cert_reqs=maybe&visibility_timeout=10&ssl_ca_certs=/nonexistent/ca.pem",
                        Map.of("consumer_threads", "-1", "confirm_timeout", "-3", "hearbeat", "5")));
        assertThat(e.problems()).hasSize(10);
        assertThat(e.problems()).anyMatch(p -> p.startsWith("heartbeat must be a number of seconds"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("connect_timeout must be a number of seconds above 0"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("channel_pool_size must be an integer from 1 to 256"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("consumer_threads must be an integer"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("confirm_timeout must be a number of seconds"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("failover_strategy must be one of round-robin, shuffle"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("ssl_cert_reqs must be one of"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("ssl_ca_certs must name a readable PEM file"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("unknown setting 'visibility_timeout'"));
        assertThat(e.problems()).anyMatch(p -> p.startsWith("unknown setting 'hearbeat'"));
        assertThat(e.getMessage()).startsWith("Invalid broker URL amqp://guest:**@h/").doesNotContain("hunter2");
    }

    @Test
    void tlsSettingsAsCelerysBrokerUseSsl(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not used here");
        AmqpConnectionConfig c = parse("amqp://h//?ssl_cert_reqs=CERT_NONE&ssl_ca_certs=" + ca);
        assertThat(c.tls()).as("any ssl_* setting turns TLS on, as in kombu").isTrue();
        assertThat(c.certReqs()).isEqualTo(CertReqs.NONE);
        assertThat(c.checkHostname()).isFalse();
        assertThat(c.caCerts()).isEqualTo(ca);
        assertThat(c.endpoints()).containsExactly(new Endpoint("h", 5671));
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class,
                () -> parse("amqps://h//?ssl_certfile=" + ca + "&login_method=EXTERNAL"));
        assertThat(e.problems()).anyMatch(p -> p.contains("ssl_certfile and ssl_keyfile go together"));
        assertThat(parse("amqps://h//?ssl_check_hostname=false").checkHostname()).isFalse();
    }

    @Test
    void anUnreachableBrokerIsATypedErrorNamingTheMaskedUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "amqp://guest:s3cret@127.0.0.1:" + port + "//?connect_timeout=2";
        assertThatThrownBy(() -> Celeriac.discover().openBroker(url))
                .isInstanceOf(BrokerUnavailableException.class)
                .isInstanceOf(io.celeriac.ServiceUnavailableException.class)
                .hasMessageContaining("amqp://guest:**@127.0.0.1:" + port + "//")
                .hasMessageContaining("connection refused")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void aFailoverListWhoseAddressesAreAllDownNamesThemAllMasked() throws Exception {
        int p1;
        int p2;
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            p1 = a.getLocalPort();
            p2 = b.getLocalPort();
        }
        String url = "amqp://guest:pw-x1@127.0.0.1:" + p1 + "//?connect_timeout=2;amqp://guest:pw-x1@127.0.0.1:" + p2 + "//";
        assertThatThrownBy(() -> Celeriac.discover().openBroker(url))
                .isInstanceOf(BrokerUnavailableException.class)
                .hasMessageContaining("amqp://guest:**@127.0.0.1:" + p1 + "//;amqp://guest:**@127.0.0.1:" + p2 + "//")
                .hasMessageNotContaining("pw-x1");
    }
}
