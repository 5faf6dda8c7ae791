package io.celeriac.backend.redis.internal;

import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.Connection;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script run by its SHA-1 ({@code EVALSHA}), loaded first when Redis does not know it (after a restart or a
 * failover), on the pooled client or on a dedicated connection. Immutable and thread-safe.
 */
public final class LuaScript {

    private final String source;
    private final byte[] sha;

    /**
     * Prepares a script.
     *
     * @param source the Lua source
     */
    public LuaScript(String source) {
        this.source = source;
        try {
            byte[] d = MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8));
            this.sha = HexFormat.of().formatHex(d).getBytes(StandardCharsets.US_ASCII);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }

    /**
     * Runs the script on the pooled client.
     *
     * @param client the client
     * @param keys the keys
     * @param args the arguments
     * @return the reply as Jedis gives it (byte arrays, longs and lists of them)
     */
    public Object run(UnifiedJedis client, List<byte[]> keys, List<byte[]> args) {
        try {
            return client.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            client.scriptLoad(source);
            return client.evalsha(sha, keys, args);
        }
    }

    /**
     * Runs the script on a dedicated connection.
     *
     * @param connection the connection
     * @param keys the keys
     * @param args the arguments
     * @return the reply as Jedis gives it (byte arrays, longs and lists of them)
     */
    public Object run(Connection connection, List<byte[]> keys, List<byte[]> args) {
        try {
            return connection.executeCommand(evalsha(keys, args));
        } catch (JedisNoScriptException e) {
            connection.executeCommand(new CommandArguments(Protocol.Command.SCRIPT).add("LOAD")
                    .add(source.getBytes(StandardCharsets.UTF_8)));
            return connection.executeCommand(evalsha(keys, args));
        }
    }

    private CommandArguments evalsha(List<byte[]> keys, List<byte[]> args) {
        CommandArguments c = new CommandArguments(Protocol.Command.EVALSHA).add(sha).add(keys.size());
        for (byte[] k : keys) {
            c.key(k);
        }
        for (byte[] a : args) {
            c.add(a);
        }
        return c;
    }

    /** @return the script's SHA-1 in hex */
    public String sha() {
        return new String(sha, StandardCharsets.US_ASCII);
    }

    /** @return the source */
    public String source() {
        return source;
    }
}
