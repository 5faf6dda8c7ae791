package io.celeriac.backend.redis.broker.internal;

import io.celeriac.backend.redis.internal.LuaScript;

/**
 * The broker's Lua scripts, each one atomic step of kombu's reliable delivery on Redis.
 */
final class BrokerScripts {

    private BrokerScripts() {
    }

    /**
     * Takes up to {@code ARGV[3]} messages and, for a consumer that acknowledges, records each as kombu's
     * {@code QoS.append} does, in the same step: each take is an {@code RPOP} from the first non-empty list in the
     * order (step 0 of every queue, then the next step, ...; the queues in the current order, and with
     * {@code ARGV[5] == '1'} the queue that delivered moves to the end, as kombu's {@code round_robin} rotates), then
     * {@code ZADD unacked_index <score> <tag>} and {@code HSET unacked <tag> "[<envelope>, <exchange>, <routing
     * key>]"}. Unlike a {@code BRPOP} followed by a separate {@code MULTI}, no message is ever out of both the list
     * and {@code unacked}. KEYS: the lists, step-major ({@code ARGV[4]} queues per step), then {@code unacked},
     * {@code unacked_index}; ARGV: the score (seconds since the epoch), {@code 1} to record, the most messages to
     * take, the number of queues, {@code 1} to rotate. Returns {@code {index, envelope, index, envelope, ...}} in the
     * order taken (the index of the list in KEYS, from 1), empty when every list is empty.
     */
    static final LuaScript FETCH = new LuaScript(String.join("\n",
            "local n = #KEYS - 2",
            "local max = tonumber(ARGV[3])",
            "local nq = tonumber(ARGV[4])",
            "local ns = n / nq",
            "local order = {}",
            "for q = 1, nq do order[q] = q end",
            "local empty = {}",
            "local out = {}",
            "local taken = 0",
            "while taken < max do",
            "  local found = false",
            "  for s = 0, ns - 1 do",
            "    for o = 1, nq do",
            "      local q = order[o]",
            "      local i = s * nq + q",
            "      if not empty[i] then",
            "        local raw = redis.call('RPOP', KEYS[i])",
            "        if raw then",
            "          if ARGV[2] == '1' then",
            "            local ok, env = pcall(cjson.decode, raw)",
            "            if ok and type(env) == 'table' and type(env['properties']) == 'table' then",
            "              local p = env['properties']",
            "              local tag = p['delivery_tag']",
            "              if type(tag) == 'string' then",
            "                local ex, rk = cjson.null, cjson.null",
            "                if type(p['delivery_info']) == 'table' then",
            "                  if p['delivery_info']['exchange'] ~= nil then ex = p['delivery_info']['exchange'] end",
            "                  if p['delivery_info']['routing_key'] ~= nil then rk = p['delivery_info']['routing_key'] end",
            "                end",
            "                redis.call('ZADD', KEYS[n + 2], ARGV[1], tag)",
            "                redis.call('HSET', KEYS[n + 1], tag, '[' .. raw .. ', ' .. cjson.encode(ex) .. ', ' .. cjson.encode(rk) .. ']')",
            "              end",
            "            end",
            "          end",
            "          out[#out + 1] = i",
            "          out[#out + 1] = raw",
            "          taken = taken + 1",
            "          if ARGV[5] == '1' then",
            "            table.remove(order, o)",
            "            order[nq] = q",
            "          end",
            "          found = true",
            "          break",
            "        end",
            "        empty[i] = true",
            "      end",
            "    end",
            "    if found then break end",
            "  end",
            "  if not found then break end",
            "end",
            "return out"));

    /**
     * kombu's {@code QoS.ack} for many deliveries at once, atomically (where kombu pipelines {@code MULTI / ZREM
     * unacked_index <tag> / HDEL unacked <tag> / EXEC}): removes every tag of ARGV from {@code unacked_index} and
     * {@code unacked}. KEYS: {@code unacked}, {@code unacked_index}; ARGV: the tags (at most {@value
     * #MAX_ACK_TAGS}). Returns how many were in {@code unacked}.
     */
    static final LuaScript ACK = new LuaScript(String.join("\n",
            "redis.call('ZREM', KEYS[2], unpack(ARGV))",
            "return redis.call('HDEL', KEYS[1], unpack(ARGV))"));

    /** The most tags one {@link #ACK} call takes (Lua's {@code unpack} has a bound). */
    static final int MAX_ACK_TAGS = 1000;

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
