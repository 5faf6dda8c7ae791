package io.celeriac.backend.redis.state.internal;

import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua scripts of the Redis state store, each one atomic on the server and called by SHA
 * ({@code EVALSHA}), loaded again when Redis answers {@code NOSCRIPT} (after a restart or a failover).
 *
 * <p>Every script checks the type of the keys it touches first and refuses, changing nothing, when a key
 * holds a value of another type: it answers an error starting with {@value #WRONGTYPE} followed by the key
 * and its type, or {@value #NOT_A_NUMBER} followed by the key for a clock that is not a decimal integer.
 */
public final class StateScripts {

    /** The start of the error a script answers for a key of another type. */
    public static final String WRONGTYPE = "CELERIAC-WRONGTYPE";
    /** The start of the error a script answers for a clock that is not a decimal integer. */
    public static final String NOT_A_NUMBER = "CELERIAC-NOTANUMBER";

    /**
     * Reads the whole state. KEYS: the revoked set, the clock. Answers {@code [type of the set, type of the
     * clock, the clock's value or "", [id, score, id, score, ...] oldest first]}; the caller judges the types.
     */
    public static final Script LOAD = new Script(String.join("\n",
            "local rt = redis.call('TYPE', KEYS[1]).ok",
            "local ct = redis.call('TYPE', KEYS[2]).ok",
            "local clock = ''",
            "if ct == 'string' then clock = redis.call('GET', KEYS[2]) end",
            "local entries = {}",
            "if rt == 'zset' then entries = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES') end",
            "return {rt, ct, clock, entries}"));

    /**
     * Checks the keys without reading the ids (at open). KEYS: the revoked set, the clock. Answers
     * {@code [type of the set, type of the clock, the clock's value or ""]}.
     */
    public static final Script CHECK = new Script(String.join("\n",
            "local rt = redis.call('TYPE', KEYS[1]).ok",
            "local ct = redis.call('TYPE', KEYS[2]).ok",
            "local clock = ''",
            "if ct == 'string' then clock = redis.call('GET', KEYS[2]) end",
            "return {rt, ct, clock}"));

    /**
     * Applies changes of the revoked set in order, then trims it with the worker's limits. KEYS: the revoked
     * set. ARGV[1]: the expiry cut-off (ids whose score is at or below it are dropped) or "" for none;
     * ARGV[2]: the most ids kept, 0 for unlimited; then the changes: {@code A n score1 id1 ... scoreN idN}
     * adds ids, a newer score winning over an older one ({@code ZADD GT}); {@code D n id1 ... idN} removes
     * ids; {@code C} removes every id. Answers the number of ids left.
     */
    public static final Script WRITE = new Script(String.join("\n",
            "local key = KEYS[1]",
            "local t = redis.call('TYPE', key).ok",
            "if t ~= 'zset' and t ~= 'none' then",
            "  return redis.error_reply('" + WRONGTYPE + " ' .. key .. ' ' .. t)",
            "end",
            "local i = 3",
            "local n = #ARGV",
            "while i <= n do",
            "  local op = ARGV[i]",
            "  if op == 'A' then",
            "    local j = i + 2",
            "    local last = j + 2 * tonumber(ARGV[i + 1]) - 1",
            "    while j <= last do",
            "      local stop = math.min(j + 1999, last)",
            "      redis.call('ZADD', key, 'GT', unpack(ARGV, j, stop))",
            "      j = stop + 1",
            "    end",
            "    i = last + 1",
            "  elseif op == 'D' then",
            "    local j = i + 2",
            "    local last = j + tonumber(ARGV[i + 1]) - 1",
            "    while j <= last do",
            "      local stop = math.min(j + 999, last)",
            "      redis.call('ZREM', key, unpack(ARGV, j, stop))",
            "      j = stop + 1",
            "    end",
            "    i = last + 1",
            "  elseif op == 'C' then",
            "    redis.call('DEL', key)",
            "    i = i + 1",
            "  else",
            "    return redis.error_reply('CELERIAC-BADOP ' .. tostring(op))",
            "  end",
            "end",
            "if ARGV[1] ~= '' then",
            "  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])",
            "end",
            "local maxlen = tonumber(ARGV[2])",
            "local size = redis.call('ZCARD', key)",
            "if maxlen > 0 and size > maxlen then",
            "  redis.call('ZREMRANGEBYRANK', key, 0, size - maxlen - 1)",
            "  size = maxlen",
            "end",
            "return size"));

    /**
     * Raises the stored clock to a value unless it holds a higher one (an atomic max, compared as decimal
     * integers of any size). KEYS: the clock. ARGV[1]: the value, a decimal integer. Answers the stored value.
     */
    public static final Script CLOCK = new Script(String.join("\n",
            "local function parse(s)",
            "  local neg, digits = string.match(s, '^(%-?)0*(%d+)$')",
            "  if digits == nil then return nil end",
            "  if digits == '0' then neg = '' end",
            "  return neg, digits",
            "end",
            "local function greater(an, ad, bn, bd)",
            "  if an ~= bn then return bn == '-' end",
            "  if ad == bd then return false end",
            "  local gt",
            "  if #ad ~= #bd then gt = #ad > #bd else gt = ad > bd end",
            "  if an == '-' then return not gt end",
            "  return gt",
            "end",
            "local key = KEYS[1]",
            "local t = redis.call('TYPE', key).ok",
            "if t == 'none' then",
            "  redis.call('SET', key, ARGV[1])",
            "  return ARGV[1]",
            "end",
            "if t ~= 'string' then",
            "  return redis.error_reply('" + WRONGTYPE + " ' .. key .. ' ' .. t)",
            "end",
            "local current = redis.call('GET', key)",
            "local cn, cd = parse(current)",
            "if cd == nil then",
            "  return redis.error_reply('" + NOT_A_NUMBER + " ' .. key)",
            "end",
            "local vn, vd = parse(ARGV[1])",
            "if greater(vn, vd, cn, cd) then",
            "  redis.call('SET', key, ARGV[1])",
            "  return ARGV[1]",
            "end",
            "return current"));

    private StateScripts() {
    }

    /** One Lua script, run by SHA and loaded when the server does not know it. Immutable and thread-safe. */
    public static final class Script {
        private final String source;
        private final byte[] sha;

        Script(String source) {
            this.source = source;
            this.sha = sha1Hex(source);
        }

        /**
         * Runs the script.
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

        /** @return the source */
        public String source() {
            return source;
        }

        private static byte[] sha1Hex(String script) {
            try {
                byte[] d = MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8));
                return HexFormat.of().formatHex(d).getBytes(StandardCharsets.US_ASCII);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-1", e);
            }
        }
    }
}
