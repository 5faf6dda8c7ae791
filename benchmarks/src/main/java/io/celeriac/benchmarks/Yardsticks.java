package io.celeriac.benchmarks;

import io.celeriac.testing.PostgresTestServer;
import io.celeriac.testing.RedisTestServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The servers' own benchmark tools, run as child processes with a timeout: {@code redis-benchmark},
 * {@code pgbench} and RabbitMQ's PerfTest, and the bare Jedis and Lettuce clients in this JVM. Their figures are the yardsticks
 * the harness divides celeriac's by.
 */
final class Yardsticks {

    private static final Pattern RPS = Pattern.compile("(SET|GET): ([0-9.]+) requests per second");
    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LPUSH = Pattern.compile("LPUSH: ([0-9.]+) requests per second");
    /** A PerfTest per-interval line: {@code time 2.003 s, sent: 403 msg/s, confirmed: 403 msg/s, ...}. */
    private static final Pattern PERF_INTERVAL = Pattern.compile("time ([0-9.]+) s, sent: ([0-9]+) msg/s, confirmed: ([0-9]+) msg/s");
    private static final Pattern PERF_AVERAGE = Pattern.compile("sending rate avg: ([0-9]+) msg/s");
    /** A PerfTest consumer's per-interval line: {@code time 2.001 s, received: 7857 msg/s, ...}. */
    private static final Pattern PERF_RECEIVED = Pattern.compile("time ([0-9.]+) s, received: ([0-9]+) msg/s");

    /** PerfTest's main class. */
    static final String PERF_TEST_MAIN = "com.rabbitmq.perf.PerfTest";

    private Yardsticks() {
    }

    /**
     * Runs {@code redis-benchmark -c clients [-P pipeline] -n requests -t set,get -d 200 -q} on database {@code db}.
     *
     * @param pipeline requests each client keeps in flight ({@code -P}); 1 for none (every client waits for each reply)
     * @return requests per second of SET and of GET
     */
    static double[] redisBenchmark(RedisTestServer redis, int db, int clients, int pipeline, int requests)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", redis.host(), "-p", Integer.toString(redis.port()),
                "--dbnum", Integer.toString(db), "-c", Integer.toString(clients), "-n", Integer.toString(requests),
                "-t", "set,get", "-d", "200", "-q"));
        if (pipeline > 1) {
            cmd.addAll(List.of("-P", Integer.toString(pipeline)));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (redis.password() != null) {
            pb.environment().put("REDISCLI_AUTH", redis.password()); // never on the command line
        }
        return setGetRates(run(pb, 300));
    }

    /**
     * Reads {@code redis-benchmark -q -t set,get}'s requests per second.
     *
     * @param out its output (progress lines end with a carriage return; the last figure of each test is its summary)
     * @return requests per second of SET and of GET
     * @throws IllegalStateException when either figure is missing
     */
    static double[] setGetRates(String out) {
        double[] rps = new double[2];
        Matcher m = RPS.matcher(out.replace('\r', '\n'));
        while (m.find()) {
            rps[m.group(1).equals("SET") ? 0 : 1] = Double.parseDouble(m.group(2));
        }
        if (rps[0] == 0 || rps[1] == 0) {
            throw new IllegalStateException("unexpected redis-benchmark output: " + out);
        }
        return rps;
    }

    /**
     * How many requests to give {@code redis-benchmark} (which runs a count, not a time) so that each of its tests
     * takes about {@code seconds} at {@code expectedRate}.
     *
     * @param expectedRate requests per second expected (the last run's figure, or a guess)
     * @param clients its {@code -c}: every client gets at least 100 requests
     * @return the request count, between 5,000 and 10,000,000
     */
    static int requestsFor(double expectedRate, double seconds, int clients) {
        long n = Math.round(expectedRate * seconds);
        return (int) Math.max(Math.max(5_000, clients * 100L), Math.min(10_000_000, n));
    }

    /**
     * Runs {@code redis-benchmark -c clients -n requests -t lpush -d 200 -q} on database {@code db}: a synchronous
     * {@code LPUSH} of 200 bytes per request and client, onto its list {@code mylist}, which it then deletes.
     *
     * @return requests per second
     */
    static double redisBenchmarkLpush(RedisTestServer redis, int db, int clients, int requests) throws IOException, InterruptedException {
        List<String> cmd = List.of("redis-benchmark", "-h", redis.host(), "-p", Integer.toString(redis.port()),
                "--dbnum", Integer.toString(db), "-c", Integer.toString(clients), "-n", Integer.toString(requests),
                "-t", "lpush", "-d", "200", "-q");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (redis.password() != null) {
            pb.environment().put("REDISCLI_AUTH", redis.password()); // never on the command line
        }
        try {
            return lpushRate(run(pb, 300));
        } finally {
            redis.deleteKeys(db, "mylist");
        }
    }

    /**
     * Reads {@code redis-benchmark -q -t lpush}'s requests per second.
     *
     * @param out its output (progress lines end with a carriage return)
     * @return requests per second
     * @throws IllegalStateException when the output has no LPUSH figure
     */
    static double lpushRate(String out) {
        Matcher m = LPUSH.matcher(out.replace('\r', '\n'));
        double rps = 0;
        while (m.find()) {
            rps = Double.parseDouble(m.group(1)); // the last one is the summary
        }
        if (rps == 0) {
            throw new IllegalStateException("unexpected redis-benchmark output: " + out);
        }
        return rps;
    }

    /**
     * Runs RabbitMQ's PerfTest as its own java process (its jar and dependencies in {@code lib}): one producer, no
     * consumer, {@code size}-byte persistent messages into a durable queue of the caller's own (declared by
     * PerfTest with {@code x-expires} 60 s as a safety net; the caller deletes it), at most {@code confirm}
     * publishes awaiting their confirm, for {@code seconds}. The URI travels in the environment ({@code URI}),
     * never on the command line.
     *
     * @return confirmed messages per second, see {@link #perfTestRate}
     */
    static double perfTest(Path lib, String uri, String queue, int confirm, int size, int seconds) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", lib.toAbsolutePath() + File.separator + "*", PERF_TEST_MAIN,
                "-x", "1", "-y", "0", "-c", Integer.toString(confirm), "-s", Integer.toString(size), "-f", "persistent",
                "-u", queue, "-ad", "false", "-qa", "x-expires=60000", "-z", Integer.toString(seconds), "-i", "1");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("URI", uri);
        return perfTestRate(run(pb, seconds + 120L));
    }

    /**
     * Reads PerfTest's figure: the mean of its per-second "confirmed" rates after the first second (the producer
     * warm, as celeriac's figures are taken after a warm-up), or its "sending rate avg" when it printed fewer
     * than two intervals.
     *
     * @param out PerfTest's output
     * @return confirmed messages per second
     * @throws IllegalStateException when the output has neither
     */
    static double perfTestRate(String out) {
        Matcher m = PERF_INTERVAL.matcher(out);
        List<Double> confirmed = new ArrayList<>();
        while (m.find()) {
            confirmed.add(Double.parseDouble(m.group(3)));
        }
        if (confirmed.size() >= 2) {
            return confirmed.subList(1, confirmed.size()).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        }
        Matcher avg = PERF_AVERAGE.matcher(out);
        if (avg.find()) {
            return Double.parseDouble(avg.group(1));
        }
        throw new IllegalStateException("no rate in PerfTest's output:\n" + out);
    }

    /**
     * Runs RabbitMQ's PerfTest as a consumer only: one consumer of prefetch {@code prefetch} that acknowledges every
     * message, on an existing queue ({@code -p}, predeclared) that the caller filled, for {@code seconds}.
     *
     * @return messages received and acknowledged per second, see {@link #perfTestConsumeRate}
     */
    static double perfTestConsume(Path lib, String uri, String queue, int prefetch, int seconds) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "-cp", lib.toAbsolutePath() + File.separator + "*", PERF_TEST_MAIN,
                "-x", "0", "-y", "1", "-q", Integer.toString(prefetch), "-u", queue, "-p", "-z", Integer.toString(seconds), "-i", "1");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("URI", uri);
        return perfTestConsumeRate(run(pb, seconds + 120L));
    }

    /**
     * Reads a PerfTest consumer's figure: the mean of its per-second "received" rates, leaving out the first second
     * (start-up) and the seconds at the end after the queue ran dry (below half the best second).
     *
     * @param out PerfTest's output
     * @return messages per second
     * @throws IllegalStateException when the output has no interval
     */
    static double perfTestConsumeRate(String out) {
        Matcher m = PERF_RECEIVED.matcher(out);
        List<Double> received = new ArrayList<>();
        while (m.find()) {
            received.add(Double.parseDouble(m.group(2)));
        }
        if (received.isEmpty()) {
            throw new IllegalStateException("no rate in PerfTest's output:\n" + out);
        }
        List<Double> warm = received.size() > 1 ? new ArrayList<>(received.subList(1, received.size())) : received;
        double best = warm.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        while (warm.size() > 1 && warm.get(warm.size() - 1) < best / 2) {
            warm.remove(warm.size() - 1);
        }
        if (best == 0) {
            throw new IllegalStateException("PerfTest received nothing:\n" + out);
        }
        return warm.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
    }

    /** The untimed warm-up of a bare client, per operation. */
    private static final double WARM_UP_SECONDS = 1;
    /** The time to live of the bare clients' writes, as celeriac's default {@code result_expires}. */
    private static final long TTL_SECONDS = 86_400;

    /**
     * The bare clients' Redis: one database, a key prefix, the value bytes celeriac stored, and keys holding
     * that value to read. Made with {@link #bareRedis}; {@link #close()} deletes every key under the prefix.
     *
     * @param redis the server
     * @param db the database
     * @param keyPrefix the prefix of every key the bare clients write
     * @param value the bytes written by SETEX (the very bytes celeriac stored for a result)
     * @param readKeys keys holding {@code value}, read by the GET figures
     */
    record BareRedis(RedisTestServer redis, int db, String keyPrefix, byte[] value, byte[][] readKeys) implements AutoCloseable {

        /** Deletes the keys the bare clients wrote. */
        @Override
        public void close() {
            redis.deleteKeys(db, keyPrefix);
        }

        byte[] setKey(int thread, long n) {
            return (keyPrefix + "set-" + thread + "-" + n).getBytes(StandardCharsets.UTF_8);
        }

        byte[] readKey() {
            return readKeys[ThreadLocalRandom.current().nextInt(readKeys.length)];
        }
    }

    private static DefaultJedisClientConfig jedisConfig(RedisTestServer redis, int db) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().resp2().database(db)
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        if (redis.password() != null) {
            config.user(redis.user()).password(redis.password());
        }
        return config.build();
    }

    /**
     * Copies the value celeriac stored under {@code celeriacKey} and writes {@code reads} keys holding it (one
     * pipeline), for the bare clients' figures.
     *
     * @param celeriacKey the full key of a result celeriac stored (its global key prefix included)
     * @param keyPrefix the prefix of every key the bare clients will write
     * @return the set-up, to close when done
     * @throws IllegalStateException when celeriac's key holds nothing
     */
    static BareRedis bareRedis(RedisTestServer redis, int db, String celeriacKey, String keyPrefix, int reads) {
        byte[][] readKeys = new byte[reads][];
        try (RedisClient client = RedisClient.builder().hostAndPort(new HostAndPort(redis.host(), redis.port()))
                .clientConfig(jedisConfig(redis, db)).build()) {
            byte[] value = client.get(celeriacKey.getBytes(StandardCharsets.UTF_8));
            if (value == null) {
                throw new IllegalStateException("celeriac's stored result " + celeriacKey + " is missing");
            }
            try (AbstractPipeline p = client.pipelined()) {
                for (int i = 0; i < reads; i++) {
                    readKeys[i] = (keyPrefix + "read-" + i).getBytes(StandardCharsets.UTF_8);
                    p.setex(readKeys[i], TTL_SECONDS, value);
                }
                p.sync();
            }
            return new BareRedis(redis, db, keyPrefix, value, readKeys);
        }
    }

    /**
     * Times bare Jedis at each thread count: a pooled {@link RedisClient} set up as celeriac's (RESP2, no
     * {@code CLIENT SETINFO}) with as many connections as threads, each thread calling {@code SETEX} of
     * celeriac's value bytes (fresh keys), then {@code GET} of the stored keys. celeriac's figures divided by
     * these show what celeriac adds to the client it is built on, apart from the machine's speed.
     *
     * @param threads the thread counts
     * @param warmUp whether to run both operations on 4 threads untimed first (the JIT's warm-up)
     * @return per thread count, operations per second of SETEX and of GET
     */
    static double[][] jedisPooled(BareRedis bare, int[] threads, double seconds, boolean warmUp) throws InterruptedException {
        int most = Arrays.stream(threads).max().orElse(1);
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(most);
        pool.setMaxIdle(most);
        pool.setJmxEnabled(false);
        double[][] out = new double[threads.length][];
        try (RedisClient client = RedisClient.builder().hostAndPort(new HostAndPort(bare.redis().host(), bare.redis().port()))
                .clientConfig(jedisConfig(bare.redis(), bare.db())).poolConfig(pool).build()) {
            Call setex = (t, n) -> client.setex(bare.setKey(t, n), TTL_SECONDS, bare.value());
            Call get = (t, n) -> client.get(bare.readKey());
            if (warmUp) {
                setexAndGet(4, WARM_UP_SECONDS, bare, setex, get);
            }
            for (int i = 0; i < threads.length; i++) {
                out[i] = setexAndGet(threads[i], seconds, bare, setex, get);
            }
        }
        return out;
    }

    /**
     * Times bare Lettuce at each thread count: ONE shared connection (RESP2, auto-flush on, its default), its
     * synchronous API called from every thread, so that the commands of many threads travel together on the one
     * socket (Lettuce's automatic pipelining): {@code SETEX} of celeriac's value bytes (fresh keys), then
     * {@code GET} of the stored keys.
     *
     * @param threads the thread counts
     * @param warmUp whether to run both operations on 4 threads untimed first (the JIT's warm-up)
     * @return per thread count, operations per second of SETEX and of GET
     */
    static double[][] lettuce(BareRedis bare, int[] threads, double seconds, boolean warmUp) throws InterruptedException {
        RedisTestServer redis = bare.redis();
        RedisURI.Builder uri = RedisURI.builder().withHost(redis.host()).withPort(redis.port()).withDatabase(bare.db());
        if (redis.password() != null) {
            if (redis.user() != null) {
                uri.withAuthentication(redis.user(), redis.password());
            } else {
                uri.withPassword(redis.password());
            }
        }
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(uri.build());
        client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
        double[][] out = new double[threads.length][];
        try (StatefulRedisConnection<byte[], byte[]> connection = client.connect(ByteArrayCodec.INSTANCE)) {
            RedisCommands<byte[], byte[]> sync = connection.sync();
            Call setex = (t, n) -> sync.setex(bare.setKey(t, n), TTL_SECONDS, bare.value());
            Call get = (t, n) -> sync.get(bare.readKey());
            if (warmUp) {
                setexAndGet(4, WARM_UP_SECONDS, bare, setex, get);
            }
            for (int i = 0; i < threads.length; i++) {
                out[i] = setexAndGet(threads[i], seconds, bare, setex, get);
            }
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        }
        return out;
    }

    /** A bare client's call, returning the reply. */
    private interface Call {
        Object run(int thread, long n);
    }

    private static double[] setexAndGet(int threads, double seconds, BareRedis bare, Call setex, Call get)
            throws InterruptedException {
        double set = Load.throughput(threads, seconds, (t, n) -> {
            if (!"OK".equals(setex.run(t, n))) {
                throw new IllegalStateException("a bare SETEX was not answered OK");
            }
        });
        double read = Load.throughput(threads, seconds, (t, n) -> {
            if (!(get.run(t, n) instanceof byte[] v) || v.length != bare.value().length) {
                throw new IllegalStateException("a bare GET did not find the value it stored");
            }
        });
        return new double[] {set, read};
    }

    /**
     * Runs {@code pgbench -M prepared -n -c clients -j clients -T seconds -f script} with the tables of
     * {@code schema} first on the search path.
     *
     * @return transactions per second
     */
    static double pgbench(PostgresTestServer pg, String database, String schema, Path dir, String name, String script, int clients, int seconds)
            throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        Files.writeString(f, script, StandardCharsets.UTF_8);
        List<String> cmd = List.of("pgbench", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.user(),
                "-M", "prepared", "-n", "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, 2)),
                "-T", Integer.toString(seconds), "-f", f.toString(), database);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (pg.password() != null) {
            pb.environment().put("PGPASSWORD", pg.password());
        }
        pb.environment().put("PGOPTIONS", "-c search_path=" + schema);
        String out = run(pb, seconds + 120L);
        Matcher m = TPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no tps in pgbench's output:\n" + out);
        }
        return Double.parseDouble(m.group(1));
    }

    /** Runs a process to its end (stopping it by its own handle after the timeout) and returns its output. */
    static String run(ProcessBuilder pb, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try {
                out.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                out.append("(output lost: ").append(e.getMessage()).append(')');
            }
        }, "bench-child-output");
        reader.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            reader.join(5000);
            throw new IllegalStateException(pb.command().get(0) + " did not finish in " + timeoutSeconds + " s");
        }
        reader.join(5000);
        if (p.exitValue() != 0) {
            throw new IllegalStateException(pb.command().get(0) + " exited with " + p.exitValue() + ":\n" + out);
        }
        return out.toString();
    }
}
