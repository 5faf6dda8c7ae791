package io.celeriac.backend.redis.backend.internal;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Celery's store with its SUCCESS guard made atomic: one Lua script, called by SHA ({@code EVALSHA}) and
 * loaded again when Redis answers {@code NOSCRIPT} (after a restart or a failover), that refuses to
 * overwrite a stored SUCCESS, writes the value with its expiry ({@code SETEX}, {@code PSETEX} for
 * sub-second expiries, or {@code SET}) and {@code PUBLISH}es it on the key's channel. One round trip, no
 * read-then-write race. It returns 1 when it wrote, 0 when a SUCCESS was kept.
 *
 * <p>A stored value counts as SUCCESS when it starts with <code>&#123;"status": "SUCCESS"</code> (how Celery
 * writes it), read with {@code GETRANGE} so that a large result is not copied; a value that does not start
 * with <code>&#123;"status": "</code> is read whole and decoded with {@code cjson} to be sure.
 *
 * <p>On Redis 7 and later the script first asks the server ({@code redis.acl_check_cmd}) whether the
 * connection's ACL user may run its write and its {@code PUBLISH} on that key and channel, and refuses with
 * {@code NOPERM} before writing anything when it may not: a script is not rolled back, so without the check a
 * denied {@code PUBLISH} would leave the value written by a store that failed. Celery's MULTI/EXEC fails the
 * same way, as a whole.
 */
public final class StoreScript {

    /**
     * The start of the error the script replies with when the connection's ACL user may not run its write or
     * its {@code PUBLISH} (checked before anything is written, on Redis 7 and later).
     */
    public static final String DENIED = "this user can't run this command or subcommand of the celeriac store script";

    /** The script: KEYS[1] the key, ARGV[1] the value, ARGV[2] {@code EX}, {@code PX} or empty, ARGV[3] the expiry. */
    public static final String SOURCE = String.join("\n",
            "local head = redis.call('GETRANGE', KEYS[1], 0, 19)",
            "if head == '{\"status\": \"SUCCESS\"' then return 0 end",
            "if head ~= '' and string.sub(head, 1, 12) ~= '{\"status\": \"' then",
            "  local ok, doc = pcall(cjson.decode, redis.call('GET', KEYS[1]))",
            "  if ok and type(doc) == 'table' and doc['status'] == 'SUCCESS' then return 0 end",
            "end",
            "local write = 'SET'",
            "if ARGV[2] == 'EX' then write = 'SETEX' elseif ARGV[2] == 'PX' then write = 'PSETEX' end",
            "if redis.acl_check_cmd then",
            "  local ok",
            "  if write == 'SET' then ok = redis.acl_check_cmd('SET', KEYS[1], '-')",
            "  else ok = redis.acl_check_cmd(write, KEYS[1], '1', '-') end",
            "  if not ok then return redis.error_reply(\"NOPERM " + DENIED + ": \" .. write .. \" on the key (nothing was written)\") end",
            "  if not redis.acl_check_cmd('PUBLISH', KEYS[1], '-') then",
            "    return redis.error_reply(\"NOPERM " + DENIED + ": PUBLISH on the channel of the key (nothing was written)\")",
            "  end",
            "end",
            "if ARGV[2] == 'EX' then",
            "  redis.call('SETEX', KEYS[1], ARGV[3], ARGV[1])",
            "elseif ARGV[2] == 'PX' then",
            "  redis.call('PSETEX', KEYS[1], ARGV[3], ARGV[1])",
            "else",
            "  redis.call('SET', KEYS[1], ARGV[1])",
            "end",
            "redis.call('PUBLISH', KEYS[1], ARGV[1])",
            "return 1");

    private static final byte[] SHA = sha1Hex(SOURCE);
    private static final byte[] SOURCE_BYTES = SOURCE.getBytes(StandardCharsets.UTF_8);
    private static final byte[] ONE = {'1'};

    private StoreScript() {
    }

    /**
     * Runs the script, loading it first if Redis does not know it.
     *
     * @param client the client
     * @param key the key (also the channel)
     * @param value the encoded meta
     * @param ttlUnit {@code EX}, {@code PX} or empty for no expiry
     * @param ttlAmount the expiry in that unit
     * @return whether the value was written
     */
    public static boolean run(UnifiedJedis client, byte[] key, byte[] value, byte[] ttlUnit, byte[] ttlAmount) {
        return wrote(evalsha(client, SHA, SOURCE, List.of(key), List.of(value, ttlUnit, ttlAmount)));
    }

    /**
     * The script's call by SHA ({@code EVALSHA}), for a pipeline; when Redis answers {@code NOSCRIPT}, send
     * {@link #eval} instead.
     *
     * @param key the key (also the channel)
     * @param value the encoded meta
     * @param ttlUnit {@code EX}, {@code PX} or empty for no expiry
     * @param ttlAmount the expiry in that unit
     * @return the command
     */
    public static CommandArguments evalsha(byte[] key, byte[] value, byte[] ttlUnit, byte[] ttlAmount) {
        return new CommandArguments(Protocol.Command.EVALSHA).add(SHA).add(ONE).key(key).add(value).add(ttlUnit).add(ttlAmount);
    }

    /**
     * The script's call with its source ({@code EVAL}), which also loads it for later {@link #evalsha} calls.
     *
     * @param key the key (also the channel)
     * @param value the encoded meta
     * @param ttlUnit {@code EX}, {@code PX} or empty for no expiry
     * @param ttlAmount the expiry in that unit
     * @return the command
     */
    public static CommandArguments eval(byte[] key, byte[] value, byte[] ttlUnit, byte[] ttlAmount) {
        return new CommandArguments(Protocol.Command.EVAL).add(SOURCE_BYTES).add(ONE).key(key).add(value).add(ttlUnit).add(ttlAmount);
    }

    /**
     * Whether the script's reply says it wrote.
     *
     * @param reply the reply of {@link #evalsha} or {@link #eval}
     * @return {@code true} when it wrote, {@code false} when a stored SUCCESS was kept
     */
    public static boolean wrote(Object reply) {
        return reply instanceof Long n && n == 1L;
    }

    /**
     * Runs a script by its SHA, loading it first if Redis does not know it (after a restart or a failover).
     *
     * @param client the client
     * @param sha the script's SHA-1 in hex
     * @param source the script
     * @param keys its keys
     * @param args its arguments
     * @return the script's reply
     */
    static Object evalsha(UnifiedJedis client, byte[] sha, String source, List<byte[]> keys, List<byte[]> args) {
        try {
            return client.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            client.scriptLoad(source);
            return client.evalsha(sha, keys, args);
        }
    }

    /** @return the script's SHA-1 in hex, as {@code EVALSHA} takes it */
    public static String sha() {
        return new String(SHA, StandardCharsets.US_ASCII);
    }

    static byte[] sha1Hex(String script) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
