package io.celeriac.backend.redis.internal;

import io.celeriac.backend.redis.backend.internal.StoreScript;
import io.celeriac.Secrets;
import io.celeriac.ServiceUnavailableException;
import io.celeriac.backend.BackendUnavailableException;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.backend.redis.RedisConnectionConfig;
import io.celeriac.url.BackendUrl;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

import javax.net.ssl.SSLException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns Jedis failures into celeriac's typed errors: anything that means "Redis cannot be used right now"
 * (refused or lost connections, timeouts, an exhausted pool, a server that is loading or read-only after a
 * failover) becomes the area's {@link ServiceUnavailableException} ({@link #BACKEND}: a
 * {@link BackendUnavailableException} for the result backend; {@link #BROKER}: a
 * {@link BrokerUnavailableException} for the broker; {@link #SERVICE}: the neutral parent for the
 * state store and the events) with a clear message free of credentials, and is classified as transient
 * (retried with the retry policy) or permanent (TLS and authentication failures, which no retry fixes).
 * Thread-safe.
 */
public final class RedisErrors {

    /** Makes the error that says Redis cannot be used right now: each area has its own type. */
    @FunctionalInterface
    public interface Unavailable {
        /**
         * Creates the error.
         *
         * @param maskedUri the masked URI of what could not be reached
         * @param reason what failed, with no credentials in it
         * @param cause the underlying failure, may be {@code null}
         * @return the error
         */
        ServiceUnavailableException create(String maskedUri, String reason, Throwable cause);
    }

    /** The result backend's: {@link BackendUnavailableException}. */
    public static final Unavailable BACKEND = BackendUnavailableException::new;
    /** The broker's: {@link BrokerUnavailableException}. */
    public static final Unavailable BROKER = BrokerUnavailableException::new;
    /** The other areas' (worker state store, event source and dispatcher): {@link ServiceUnavailableException}. */
    public static final Unavailable SERVICE = ServiceUnavailableException::new;

    private static final Set<String> TRANSIENT_REPLIES = Set.of("LOADING", "READONLY", "MASTERDOWN", "TRYAGAIN",
            "BUSY", "CLUSTERDOWN", "NOREPLICAS", "NOMASTERLINK");
    private static final Set<String> PERMANENT_REPLIES = Set.of("WRONGPASS", "NOAUTH", "NOPERM");
    /** How Redis 7 reports an ACL denial inside a Lua script (it does not name the command). */
    private static final String SCRIPT_DENIED = "can't run this command or subcommand";
    /** The commands the store script runs, named when Redis denies one of them. */
    private static final String STORE_SCRIPT_COMMANDS = "GETRANGE, GET, SET, SETEX, PSETEX and PUBLISH";

    private final AtomicBoolean reached = new AtomicBoolean();
    private final String maskedUri;
    private final BackendUrl url;
    private final RedisConnectionConfig config;
    private final Unavailable unavailable;

    /**
     * Creates the translator of one backend, store or event source.
     *
     * @param maskedUri the masked URI
     * @param url the URL, whose password is scrubbed from every message
     * @param config the connection settings, for the timeouts named in messages
     * @param unavailable the area's error for "Redis cannot be used right now": {@link #BACKEND} or {@link #SERVICE}
     */
    public RedisErrors(String maskedUri, BackendUrl url, RedisConnectionConfig config, Unavailable unavailable) {
        this.maskedUri = maskedUri;
        this.url = url;
        this.config = config;
        this.unavailable = unavailable;
    }

    /**
     * The area's error for "Redis cannot be used right now".
     *
     * @param reason what failed, with no credentials in it
     * @param cause the underlying failure
     * @return the error, a {@link ServiceUnavailableException}
     */
    public ServiceUnavailableException unavailable(String reason, Throwable cause) {
        return unavailable.create(maskedUri, reason, cause);
    }

    /**
     * Translates a failure of a Redis call.
     *
     * @param e what Jedis threw
     * @return the area's {@link ServiceUnavailableException} when Redis cannot be used right now, else {@code e}
     */
    public RuntimeException translate(RuntimeException e) {
        if (e instanceof ServiceUnavailableException) {
            return e;
        }
        if (isDenied(e)) {
            return unavailable(deniedDescription(target(), denial(e).getMessage()), e);
        }
        if (e instanceof JedisConnectionException || isPermanent(e)) {
            return unavailable(describe(e), e);
        }
        if (e instanceof JedisDataException && firstWord(e.getMessage()) != null
                && TRANSIENT_REPLIES.contains(firstWord(e.getMessage()))) {
            return unavailable("Redis answered " + scrub(e.getMessage()), e);
        }
        if (e instanceof JedisDataException && "EXECABORT".equals(firstWord(e.getMessage()))) {
            return transactionAborted((JedisDataException) e);
        }
        if (e instanceof JedisException && e.getCause() instanceof NoSuchElementException) {
            return unavailable("no pooled connection became free within "
                    + seconds(config.socketTimeout()) + " (max_connections=" + config.maxConnections() + ")", e);
        }
        return e;
    }

    /**
     * A transaction Redis discarded: the errors it queued (kept as suppressed exceptions) say why. One that a
     * retry can fix ({@code LOADING} while a restarted server reads its data, {@code READONLY} during a
     * failover, ...) makes the whole transaction worth retrying; otherwise the reasons are named in the message.
     */
    private RuntimeException transactionAborted(JedisDataException e) {
        StringBuilder reasons = new StringBuilder();
        for (Throwable s : e.getSuppressed()) {
            String m = String.valueOf(s.getMessage());
            if (s instanceof JedisDataException && TRANSIENT_REPLIES.contains(String.valueOf(firstWord(m)))) {
                return unavailable("Redis answered " + scrub(m) + " inside a transaction", e);
            }
            reasons.append(reasons.length() == 0 ? "" : "; ").append(scrub(m));
        }
        if (reasons.length() == 0) {
            return e;
        }
        JedisDataException named = new JedisDataException(scrub(e.getMessage()) + " (" + reasons + ")", e);
        return named;
    }

    /**
     * Whether a failure is worth retrying: a {@link ServiceUnavailableException} (of any area) that is not
     * {@linkplain #isPermanent permanent}.
     *
     * @param e the failure
     * @return {@code true} to retry
     */
    public static boolean isTransient(RuntimeException e) {
        return e instanceof ServiceUnavailableException && !isPermanent(e);
    }

    /**
     * Records that a connection to the server was made: from now on a connection that cannot be made is taken
     * for a server that restarts or fails over, and retried.
     */
    public void markReached() {
        reached.set(true);
    }

    /**
     * Whether a connection to the server has ever been made through these connections.
     *
     * @return {@code true} once reached
     */
    public boolean hasReached() {
        return reached.get();
    }

    /**
     * Whether a failure should end an operation at once, without the retry policy: a {@linkplain #isPermanent
     * permanent} one (TLS, credentials, permissions), or a connection that could not be made (refused, an unknown
     * host, no reply to the connect) to a server that was never reached: a wrong URL, or a server that is not
     * there, which no retry fixes. Once the server has been reached, such a failure is a restart or a failover,
     * and worth retrying.
     *
     * @param e the failure
     * @return {@code true} to fail at once
     */
    public boolean failsFast(Throwable e) {
        if (isPermanent(e)) {
            return true;
        }
        if (reached.get()) {
            return false;
        }
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof ConnectFailedException) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a failure cannot be fixed by retrying: a TLS handshake or certificate failure, or an
     * authentication or permission error.
     *
     * @param t the failure
     * @return {@code true} when permanent
     */
    public static boolean isPermanent(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SSLException || c instanceof GeneralSecurityException || c instanceof JedisAccessControlException) {
                return true;
            }
            if (c instanceof JedisDataException && PERMANENT_REPLIES.contains(String.valueOf(firstWord(c.getMessage())))) {
                return true;
            }
            if (isDenied(c)) {
                return true;
            }
        }
        return false;
    }

    /** Whether Redis refused a command or key to the connection's ACL user. */
    private static boolean isDenied(Throwable c) {
        return denial(c) != null;
    }

    /** The denial itself: {@code c}, or one suppressed by it (a transaction's EXECABORT keeps the NOPERM there). */
    private static Throwable denial(Throwable c) {
        if (!(c instanceof JedisDataException)) {
            return null;
        }
        String m = String.valueOf(c.getMessage());
        if (m.startsWith("NOPERM") || m.contains(SCRIPT_DENIED)) {
            return c;
        }
        for (Throwable s : c.getSuppressed()) {
            if (s instanceof JedisDataException && denial(s) != null) {
                return denial(s);
            }
        }
        return null;
    }

    private String deniedDescription(String where, String message) {
        String m = scrub(message);
        String what;
        if (m.contains(SCRIPT_DENIED)) {
            what = m.contains(StoreScript.sha()) || m.contains(StoreScript.DENIED)
                    ? "a command of the store script, which runs " + STORE_SCRIPT_COMMANDS
                    : "a command run by a Lua script";
        } else if (m.contains("keys")) {
            what = "a key (the backend's keys start with celery-task-meta-, celery-taskset-meta- and chord-unlock-, after any global_keyprefix)";
        } else if (m.contains("channel")) {
            what = "a channel (the backend subscribes to celery-task-meta-<task id>)";
        } else {
            int q1 = m.indexOf('\'');
            int q2 = q1 < 0 ? -1 : m.indexOf('\'', q1 + 1);
            what = q2 > q1 ? "the command " + m.substring(q1 + 1, q2).toUpperCase(java.util.Locale.ROOT) : "a command";
        }
        return "Redis at " + where + " denied " + what + " to this connection's ACL user (" + m
                + "); grant it with ACL SETUSER";
    }

    private static String firstWord(String message) {
        if (message == null) {
            return null;
        }
        int sp = message.indexOf(' ');
        return sp < 0 ? message : message.substring(0, sp);
    }

    /**
     * A clear description of a connection failure, without credentials.
     *
     * @param e the failure
     * @return the description
     */
    public String describe(Throwable e) {
        String where = target();
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SSLException) {
                String m = String.valueOf(c.getMessage());
                if (m.contains("No subject alternative") || m.contains("No name matching")) {
                    return "the TLS certificate of " + where + " does not name the host it was reached by ("
                            + scrub(m) + "); connect by a name the certificate holds, or opt out with "
                            + "ssl_check_hostname=false";
                }
                boolean clientCert = m.contains("certificate_required") || m.contains("bad_certificate")
                        || m.contains("unknown_ca") || m.contains("certificate_unknown");
                return "the TLS handshake with " + where + " failed (" + scrub(m) + "); "
                        + (clientCert ? "the server did not accept our client certificate: check ssl_certfile and ssl_keyfile"
                        : "check ssl_ca_certs, ssl_cert_reqs and the server's certificate");
            }
            if (isDenied(c)) {
                return deniedDescription(where, denial(c).getMessage());
            }
            if (c instanceof JedisAccessControlException
                    || (c instanceof JedisDataException && PERMANENT_REPLIES.contains(String.valueOf(firstWord(c.getMessage()))))) {
                return "Redis at " + where + " refused the credentials (" + scrub(c.getMessage()) + ")";
            }
            if (c instanceof ConnectException || c instanceof NoRouteToHostException) {
                return "the connection to " + where + " was refused (" + scrub(c.getMessage()) + ")";
            }
            if (c instanceof UnknownHostException) {
                return "the host of " + where + " is unknown";
            }
            if (c instanceof SocketTimeoutException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(java.util.Locale.ROOT);
                return m.contains("connect")
                        ? "no connection to " + where + " within socket_connect_timeout " + seconds(config.connectTimeout())
                        : "no reply from " + where + " within socket_timeout " + seconds(config.socketTimeout());
            }
            if (c instanceof java.net.SocketException && !(c instanceof ConnectException)) {
                String m = String.valueOf(c.getMessage());
                if (m.contains("reset") || m.contains("Broken pipe") || m.contains("closed")) {
                    return "the connection to " + where + " was lost (" + m + ")";
                }
            }
            if (c instanceof EOFException) {
                return "the connection to " + where + " was closed by the server";
            }
        }
        String m = e.getMessage();
        if (m != null && m.startsWith("Unexpected end of")) {
            return "the connection to " + where + " was closed by the server";
        }
        return "the connection to " + where + " failed: " + scrub(m == null ? e.getClass().getSimpleName() : m);
    }

    private String target() {
        switch (config.transport()) {
            case UNIX_SOCKET:
                return "the unix socket " + config.socketPath();
            case SENTINEL:
                return "the master '" + config.masterName() + "' of sentinels " + config.endpoints();
            default:
                return config.endpoints().get(0).toString();
        }
    }

    /**
     * Removes the URL's passwords from a text.
     *
     * @param text any text, may be {@code null}
     * @return the text without passwords
     */
    public String scrub(String text) {
        return Secrets.scrub(text, url);
    }

    /** @return the backend's masked URI */
    public String maskedUri() {
        return maskedUri;
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + " s" : (ms / 1000.0) + " s";
    }
}
