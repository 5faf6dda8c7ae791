package io.celeriac.monitor;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A token-only monitor: bearer header, the login form and its cookie, open metrics, read-only mode; settings. */
class MonitorAuthTest {

    @Test
    void aTokenOpensTheApiAndTheLoginFormSetsACookie() throws Exception {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = redis.leaseDatabase();
             Monitor m = Monitor.builder().brokerUrl(lease.url()).port(0).bearerToken("tok-123").metricsOpen(true)
                     .readOnly(true).inspectInterval(java.time.Duration.ZERO).build().start()) {
            Http anonymous = new Http(m.url());
            assertThat(anonymous.get("/api/tasks").statusCode()).isEqualTo(401);
            assertThat(anonymous.get("/api/tasks").headers().firstValue("WWW-Authenticate").orElse(""))
                    .startsWith("Bearer");
            HttpResponse<String> page = anonymous.get("/tasks");
            assertThat(page.statusCode()).isEqualTo(303);
            assertThat(page.headers().firstValue("Location")).hasValue("/login");
            assertThat(anonymous.get("/login").body()).contains("<form");
            assertThat(anonymous.get("/metrics").statusCode()).as("metrics are open").isEqualTo(200);
            assertThat(anonymous.get("/api/tasks", "Authorization", "Bearer tok-123").statusCode()).isEqualTo(200);
            assertThat(anonymous.get("/api/tasks", "Authorization", "Bearer tok-124").statusCode()).isEqualTo(401);

            HttpClient noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> login = noRedirects.send(HttpRequest.newBuilder(URI.create(m.url() + "login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=tok-123")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(login.statusCode()).isEqualTo(303);
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow();
            assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
            String pair = cookie.substring(0, cookie.indexOf(';'));
            assertThat(anonymous.get("/tasks", "Cookie", pair).statusCode()).isEqualTo(200);
            assertThat(anonymous.post("/api/task/revoke/x", null, "Authorization", "Bearer tok-123").statusCode())
                    .as("read-only").isEqualTo(403);
            HttpResponse<String> index = anonymous.get("/", "Cookie", pair);
            assertThat(index.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
        }
    }

    @Test
    void settingsAreValidatedAndNeverShowThePassword() {
        assertThatThrownBy(() -> Monitor.builder().port(70000).basicAuth("u", null).build())
                .hasMessageContaining("a broker URL is required").hasMessageContaining("port must be between")
                .hasMessageContaining("basic auth needs both");
        Monitor m = Monitor.builder().brokerUrl("redis://:hunter2@127.0.0.1:6379/3").basicAuth("u", "pa55word")
                .queues(List.of("a")).build();
        assertThat(m.toString()).doesNotContain("hunter2").doesNotContain("pa55word");
        m.close();
    }
}
