package io.celeriac.cli;

import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.celeriac.cli.MainTest.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code celeriac monitor}: its options, a run against a real Redis broker, and its exit codes. */
class MonitorCommandTest {

    @Test
    void helpNamesTheOptions() {
        MainTest.Run r = run("monitor", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--broker", "--backend", "--port", "--address", "--user", "--password", "--token",
                "--history", "--metrics-open", "127.0.0.1");
    }

    @Test
    void aUserWithoutAPasswordIsBadUsage() {
        MainTest.Run r = run("monitor", "--broker", "redis://127.0.0.1:6379/0", "--user", "admin", "--port", "0");
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--user and --password go together");
    }

    @Test
    void aTakenPortIsAnError(@TempDir Path dir) throws Exception {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = redis.leaseDatabase();
             ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            MainTest.Run r = run("monitor", "--broker", lease.url(), "--port", String.valueOf(taken.getLocalPort()),
                    "--history", dir.resolve("h.db").toString(), "--seconds", "1");
            assertThat(r.code()).isEqualTo(ExitCodes.ERROR);
            assertThat(r.err()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
    }

    @Test
    void itServesUntilStoppedWithCredentials(@TempDir Path dir) throws Exception {
        RedisTestServer redis = TestServices.redis();
        try (RedisTestServer.DatabaseLease lease = redis.leaseDatabase()) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            Path history = dir.resolve("monitor.db");
            CompletableFuture<Integer> code = CompletableFuture.supplyAsync(() -> Main.run(new String[] {"monitor",
                    "--broker", lease.url(), "--port", "0", "--user", "ops", "--password", "s3cret-value", "--history",
                    history.toString(), "--seconds", "6"}, new PrintWriter(out, true), new PrintWriter(err, true)));
            Pattern url = Pattern.compile("celeriac monitor on (http://127\\.0\\.0\\.1:\\d+/)");
            await("the monitor's address").atMost(Duration.ofSeconds(20)).until(() -> url.matcher(out.toString()).find()
                    || code.isDone());
            Matcher m = url.matcher(out.toString());
            assertThat(m.find()).as(out + " | " + err + " | " + (code.isDone() ? code.join() : "running")).isTrue();
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "api/workers"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            String basic = "Basic " + Base64.getEncoder().encodeToString("ops:s3cret-value".getBytes());
            HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(m.group(1) + "api/workers"))
                    .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.statusCode()).isEqualTo(200);
            assertThat(ok.body()).isEqualTo("{}");
            assertThat(code.get()).as(err.toString()).isZero();
            assertThat(out.toString() + err).doesNotContain("s3cret-value");
            assertThat(Files.exists(history)).isTrue();
        }
    }
}
