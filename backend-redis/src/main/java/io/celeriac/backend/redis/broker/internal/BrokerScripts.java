package io.celeriac.backend.redis.broker.internal;

import io.celeriac.backend.redis.internal.LuaScript;

/**
 * The broker's Lua scripts, each one atomic step of kombu's reliable delivery on Redis.
 */
final class BrokerScripts {

    private BrokerScripts() {
    }

    /**
     * Takes the next message and, for a consumer that acknowledges, records it as kombu's {@code QoS.append} does,
     * in the same step: {@code RPOP} from the first non-empty list of {@code KEYS[1..n]}, then {@code ZADD
     * unacked_index <score> <tag>} and {@code HSET unacked <tag> "[<envelope>, <exchange>, <routing key>]"}.
     * Unlike a {@code BRPOP} followed by a separate {@code MULTI}, no message is ever out of both the list and
     * {@code unacked}. KEYS: the lists in order, then {@code unacked}, {@code unacked_index}; ARGV: the score
     * (seconds since the epoch), {@code 1} to record. Returns {@code {index, envelope}} or nil.
     */
    static final LuaScript FETCH = new LuaScript(String.join("\n",
            "local n = #KEYS - 2",
            "for i = 1, n do",
            "  local raw = redis.call('RPOP', KEYS[i])",
            "  if raw then",
            "    if ARGV[2] == '1' then",
            "      local ok, env = pcall(cjson.decode, raw)",
            "      if ok and type(env) == 'table' and type(env['properties']) == 'table' then",
            "        local p = env['properties']",
            "        local tag = p['delivery_tag']",
            "        if type(tag) == 'string' then",
            "          local ex, rk = cjson.null, cjson.null",
            "          if type(p['delivery_info']) == 'table' then",
            "            if p['delivery_info']['exchange'] ~= nil then ex = p['delivery_info']['exchange'] end",
            "            if p['delivery_info']['routing_key'] ~= nil then rk = p['delivery_info']['routing_key'] end",
            "          end",
            "          redis.call('ZADD', KEYS[n + 2], ARGV[1], tag)",
            "          redis.call('HSET', KEYS[n + 1], tag, '[' .. raw .. ', ' .. cjson.encode(ex) .. ', ' .. cjson.encode(rk) .. ']')",
            "        end",
            "      end",
            "    end",
            "    return {i, raw}",
            "  end",
            "end",
            "return false"));

    /**
     * kombu's {@code QoS.restore_by_tag} in one step (where kombu uses {@code WATCH}): when the tag is still in
     * {@code unacked} (or unconditionally), removes it from {@code unacked} and {@code unacked_index} and pushes the
     * restored envelope to each target list ({@code LPUSH} for a rejected message, {@code RPUSH} otherwise, so that
     * it is served next). KEYS: {@code unacked}, {@code unacked_index}, the target lists; ARGV: the tag, the
     * envelope, {@code 1} for LPUSH, {@code 1} to require the tag. Returns 1 when pushed.
     */
    static final LuaScript RESTORE = new LuaScript(String.join("\n",
            "local present = redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1",
            "redis.call('ZREM', KEYS[2], ARGV[1])",
            "redis.call('HDEL', KEYS[1], ARGV[1])",
            "if present or ARGV[4] ~= '1' then",
            "  for i = 3, #KEYS do",
            "    if ARGV[3] == '1' then redis.call('LPUSH', KEYS[i], ARGV[2]) else redis.call('RPUSH', KEYS[i], ARGV[2]) end",
            "  end",
            "  return 1",
            "end",
            "return 0"));

    /** redis-py's lock release, as kombu's {@code Mutex} uses it: deletes the key only if it holds our token. */
    static final LuaScript RELEASE = new LuaScript(String.join("\n",
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end",
            "return 0"));
}
