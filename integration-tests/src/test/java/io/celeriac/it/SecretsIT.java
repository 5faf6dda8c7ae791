package io.celeriac.it;

import io.celeriac.CeleriacException;
import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendClosedException;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.RetryPolicy;
import io.celeriac.backend.TaskMeta;
import io.celeriac.backend.TaskState;
import io.celeriac.cli.Main;
import io.celeriac.events.EventSource;
import io.celeriac.events.EventSourceOptions;
import io.celeriac.state.StateStore;
import io.celeriac.state.StateStoreOptions;
import io.celeriac.state.WorkerState;
import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RedisTestServer;
import io.celeriac.testing.TestServices;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One distinctive password in every URL, through every error path that can be reached with every plugin
 * installed: unknown schemes, bad options, unreachable and unknown hosts, refused credentials, TLS failures,
 * closed backends, state stores, event sources and the {@code celeriac} command with bad URLs (with and
 * without {@code --verbose}). Every exception (message, causes, suppressed, stack trace text), every
 * {@code asUri()}, {@code toString()} and {@code masked()}, everything the command prints and everything
 * logged to standard error is scanned for the password, raw and percent-encoded.
 */
class SecretsIT {

    /** The password, with characters that URLs encode, so both its raw and encoded forms are scanned. */
    private static final String PASSWORD = "Zq9-Secret/Pw@7731";
    private static final String ENCODED = URLEncoder.encode(PASSWORD, StandardCharsets.UTF_8);
    private static final List<String> FORMS = List.of(PASSWORD, ENCODED, "Zq9-Secret", "Pw@7731", "Pw%407731");
    private static final RetryPolicy QUICK = new RetryPolicy(2, Duration.ZERO, Duration.ofMillis(10), Duration.ofMillis(20));

    private final Celeriac celeriac = Celeriac.discover();
    private final List<String> scanned = new ArrayList<>();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private PrintStream originalErr;
    private int failures;

    @TempDir
    Path dir;

    @BeforeEach
    void captureStandardError() {
        originalErr = System.err;
        System.setErr(new PrintStream(new TeeStream(stderr, originalErr), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStandardError() {
        System.setErr(originalErr);
    }

    /** Copies what is written to the captured buffer and to the real stream. */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public synchronized void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public synchronized void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void scan(String where, String text) {
        scanned.add(where);
        for (String form : FORMS) {
            assertThat(String.valueOf(text)).as("%s shows the password", where).doesNotContain(form);
        }
    }

    private void scan(String where, Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        scan(where + " (stack trace)", trace.toString());
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            scan(where + " (" + c.getClass().getName() + ".toString)", c.toString());
            scan(where + " (" + c.getClass().getName() + ".getLocalizedMessage)", c.getLocalizedMessage());
        }
    }

    /** Runs one error path: it must fail with a celeriac error, which is scanned. */
    private void mustFail(String where, Runnable path) {
        try {
            path.run();
            scanned.add(where + " (did not fail)");
        } catch (CeleriacException e) {
            failures++;
            scan(where, e);
        } catch (RuntimeException e) {
            scan(where, e);
            throw new AssertionError(where + " failed with an untyped " + e, e);
        }
    }

    private Backend open(String url) {
        Backend b = celeriac.openBackend(url, BackendOptions.builder().retryPolicy(QUICK).build());
        scan(url.replace(PASSWORD, "<pw>") + " asUri", b.asUri());
        scan(url.replace(PASSWORD, "<pw>") + " toString", b.toString());
        return b;
    }

    /** Every backend operation on a backend that cannot work, each scanned. */
    private void exercise(String name, Supplier<Backend> opener) {
        Backend b;
        try {
            b = opener.get();
        } catch (CeleriacException e) {
            failures++;
            scan(name + " open", e);
            return;
        }
        try (b) {
            mustFail(name + " storeResult", () -> b.storeResult("t1", "v", TaskState.SUCCESS));
            mustFail(name + " getTaskMeta", () -> b.getTaskMeta("t1"));
            mustFail(name + " getMany", () -> b.getMany(List.of("t1", "t2")));
            mustFail(name + " forget", () -> b.forget("t1"));
            mustFail(name + " waitFor", () -> b.waitFor("t1", Duration.ofSeconds(3)));
            try {
                b.waitForAsync("t2", Duration.ofSeconds(3)).get(20, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                failures++;
                scan(name + " waitForAsync", e.getCause());
            } catch (Exception e) {
                scan(name + " waitForAsync", e);
            }
        }
    }

    @Test
    void noErrorPathShowsThePassword() throws Exception {
        RedisTestServer redis = TestServices.redis();
        PostgresTestServer pg = TestServices.postgres();
        String pw = ENCODED;
        int closedPort = freePort();

        // URLs and their masking
        for (String url : List.of("redis://u:" + pw + "@h:6379/0", "rediss://:" + pw + "@h/0?ssl_cert_reqs=required",
                "sentinel://:" + pw + "@h1;sentinel://:" + pw + "@h2?master_name=m", "db+postgresql://u:" + pw + "@h/db",
                "db+postgresql://u@h/db?password=" + pw, "socket://:" + pw + "@/tmp/r.sock")) {
            BackendUrl u = BackendUrl.parse(url);
            scan(url + " masked", u.masked());
            scan(url + " toString", u.toString());
            scan(url + " maskUnparsed", BackendUrl.maskUnparsed(url));
        }

        // unknown schemes and bad options, for every kind of plugin
        mustFail("unknown backend scheme", () -> celeriac.openBackend("nosuch://u:" + pw + "@h/0"));
        mustFail("unknown state store scheme", () -> celeriac.openStateStore("nosuch://u:" + pw + "@h/0", StateStoreOptions.defaults()));
        mustFail("unknown event source scheme", () -> celeriac.openEventSource("nosuch://u:" + pw + "@h/0", EventSourceOptions.defaults()));
        mustFail("redis bad option", () -> celeriac.openBackend("redis://u:" + pw + "@h/0?socket_timeout=soon"));
        mustFail("redis unknown option", () -> celeriac.openBackend("redis://u:" + pw + "@h/0?password=" + pw));
        mustFail("rediss bad cert reqs", () -> celeriac.openBackend("rediss://:" + pw + "@h/0?ssl_cert_reqs=" + pw));
        mustFail("postgresql bad option", () -> celeriac.openBackend("db+postgresql://u:" + pw + "@h/db?pool_size=" + pw));
        mustFail("redis state store bad option", () -> celeriac.openStateStore("redis://u:" + pw + "@h/0?socket_timeout=x",
                StateStoreOptions.defaults()));
        mustFail("malformed URL", () -> celeriac.openBackend("redis://u:" + PASSWORD + "@h:bad/0"));

        // unreachable, unknown, refusing and TLS-failing servers
        exercise("redis refused", () -> open("redis://u:" + pw + "@127.0.0.1:" + closedPort + "/0?socket_connect_timeout=2"));
        exercise("redis unknown host", () -> open("redis://u:" + pw + "@no-such-host.invalid:6379/0?socket_connect_timeout=2"));
        exercise("redis wrong password", () -> open("redis://no-such-user:" + pw + "@" + redis.host() + ":" + redis.port() + "/0"));
        exercise("rediss to a plain server", () -> open("rediss://:" + pw + "@" + redis.host() + ":" + redis.port()
                + "/0?ssl_cert_reqs=required&socket_connect_timeout=2"));
        exercise("sentinels refused", () -> open("sentinel://:" + pw + "@127.0.0.1:" + closedPort + ";sentinel://:" + pw
                + "@127.0.0.1:" + closedPort + "?master_name=mymaster&socket_connect_timeout=2"));
        exercise("postgresql refused", () -> open("db+postgresql://u:" + pw + "@127.0.0.1:" + closedPort + "/db?connect_timeout=3"));
        exercise("postgresql unknown role", () -> open("db+postgresql://no_such_role:" + pw + "@" + pg.host() + ":" + pg.port()
                + "/" + pg.database() + "?connect_timeout=5"));
        exercise("postgresql TLS required", () -> open("db+postgresql://no_such_role:" + pw + "@" + pg.host() + ":" + pg.port()
                + "/" + pg.database() + "?sslmode=verify-full&sslrootcert=/nonexistent/root.crt&connect_timeout=5"));

        // a working backend with the password in its URL (the shared server trusts local connections), then closed
        String schema = pg.createSchema();
        try {
            Backend b = celeriac.openBackend("db+postgresql://" + pg.user() + ":" + pw + "@" + pg.host() + ":" + pg.port() + "/" + pg.database(),
                    BackendOptions.builder().property("database_table_schemas.task", schema)
                            .property("database_table_schemas.group", schema).build());
            scan("open postgresql asUri", b.asUri());
            b.storeResult("secret-task", "ok", TaskState.SUCCESS);
            TaskMeta m = b.getTaskMeta("secret-task");
            scan("open postgresql meta", m.toString());
            b.close();
            mustFail("closed backend getTaskMeta", () -> b.getTaskMeta("secret-task"));
            mustFail("closed backend storeResult", () -> b.storeResult("secret-task", "again", TaskState.SUCCESS));
            try {
                b.getTaskMeta("x");
            } catch (BackendClosedException expected) {
                scan("closed", expected);
            }
        } finally {
            pg.dropSchema(schema);
        }

        // state stores and event sources that cannot reach their servers
        for (String url : List.of("redis://u:" + pw + "@127.0.0.1:" + closedPort + "/0?socket_connect_timeout=2",
                "db+postgresql://u:" + pw + "@127.0.0.1:" + closedPort + "/db?connect_timeout=3")) {
            try (StateStore s = celeriac.openStateStore(url, StateStoreOptions.defaults())) {
                scan(url + " state store location", s.location());
                mustFail("state store sync " + url.substring(0, 8), () -> s.sync(WorkerState.withCeleryDefaults()));
            } catch (CeleriacException e) {
                failures++;
                scan("state store " + url.substring(0, 8), e);
            }
        }
        try (EventSource es = celeriac.openEventSource("redis://u:" + pw + "@127.0.0.1:" + closedPort + "/0", EventSourceOptions.defaults())) {
            scan("event source location", es.location());
            es.start(event -> { });
            Thread.sleep(300);
        } catch (CeleriacException e) {
            failures++;
            scan("event source", e);
        }

        // the command, with and without --verbose: every command with URLs refused before any connection, the
        // commonest commands with servers that cannot be reached (each waits out its retry policy)
        List<String> invalidUrls = List.of("nosuch://u:" + pw + "@h/0", "redis://u:" + pw + "@h/0?socket_timeout=soon",
                "redis://u:" + PASSWORD + "@h:bad/0");
        List<String> unreachableUrls = List.of("redis://u:" + pw + "@127.0.0.1:" + closedPort + "/0?socket_connect_timeout=1",
                "db+postgresql://u:" + pw + "@127.0.0.1:" + closedPort + "/db?connect_timeout=2",
                "rediss://:" + pw + "@" + redis.host() + ":" + redis.port() + "/0?ssl_cert_reqs=required&socket_connect_timeout=1");
        List<List<String>> runs = new ArrayList<>();
        for (String url : invalidUrls) {
            for (String verbose : List.of("", "--verbose")) {
                for (List<String> command : List.of(
                        List.of("result", "get", "some-task", "--backend", url),
                        List.of("result", "wait", "some-task", "--timeout", "2", "--backend", url),
                        List.of("group", "get", "some-group", "--backend", url),
                        List.of("cleanup", "--backend", url),
                        List.of("migrate", "--from", url, "--to", "memory://", "-q"),
                        List.of("statedb", "show", url))) {
                    List<String> args = new ArrayList<>(command);
                    if (!verbose.isEmpty()) {
                        args.add(0, verbose);
                    }
                    runs.add(args);
                }
            }
        }
        for (String url : unreachableUrls) {
            runs.add(List.of("result", "get", "some-task", "--backend", url));
            runs.add(List.of("--verbose", "result", "get", "some-task", "--backend", url));
            runs.add(List.of("--verbose", "statedb", "show", url));
        }
        int commandFailures = 0;
        for (List<String> args : runs) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int code = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
            String shown = String.join(" ", args).replace(PASSWORD, "<pw>").replace(pw, "<pw>");
            scan("celeriac " + shown + " stdout", out.toString());
            scan("celeriac " + shown + " stderr", err.toString());
            if (code != 0) {
                commandFailures++;
            }
        }

        // everything logged meanwhile
        System.err.flush();
        String logged = stderr.toString(StandardCharsets.UTF_8);
        scan("standard error (logs)", logged);
        assertThat(logged).as("log lines were captured").contains("io.celeriac");

        assertThat(failures).as("error paths that failed with a typed error").isGreaterThan(40);
        assertThat(commandFailures).as("commands that failed").isEqualTo(runs.size());
        assertThat(scanned.size()).isGreaterThan(200);
    }
}
