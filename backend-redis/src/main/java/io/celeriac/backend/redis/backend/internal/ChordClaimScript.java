package io.celeriac.backend.redis.backend.internal;

import redis.clients.jedis.UnifiedJedis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The claim of a complete chord, made safe to retry: one Lua script that the part which completes a chord
 * runs to take its results and delete Celery's chord keys ({@code .j}, {@code .t}, {@code .s}). The part whose
 * script deletes {@code .s} wins; every other part, and every later duplicate report, finds {@code .s} gone
 * and loses. The winner's claim is also recorded for a minute under {@code <group key>.c} (a list: the
 * claim's token, then the members), so that when the reply of a winning claim is lost with its connection,
 * the retry of the same claim (same token) is told it won, with the same members, instead of finding the
 * keys gone and firing the chord's body never. Called by SHA and loaded again on {@code NOSCRIPT}.
 */
public final class ChordClaimScript {

    /** How long the record of a claim is kept for a retry of it, in milliseconds. */
    public static final long RECORD_MILLIS = 60_000;

    /**
     * KEYS: {@code .j}, {@code .t}, {@code .s}, the saved group, the claim record. ARGV: the claim's token,
     * {@code 1} for an ordered (sorted set) {@code .j} or {@code 0} for a list, the record's lifetime in ms.
     * Returns {@code {1, saved group or nil, members}} to the winner, {@code {0}} to everyone else.
     */
    public static final String SOURCE = String.join("\n",
            "if redis.call('LINDEX', KEYS[5], 0) == ARGV[1] then",
            "  return {1, redis.call('GET', KEYS[4]), redis.call('LRANGE', KEYS[5], 1, -1)}",
            "end",
            "if redis.call('DEL', KEYS[3]) == 0 then return {0} end",
            "local members",
            "if ARGV[2] == '1' then",
            "  members = redis.call('ZRANGE', KEYS[1], 0, -1)",
            "else",
            "  members = redis.call('LRANGE', KEYS[1], 0, -1)",
            "end",
            "redis.call('DEL', KEYS[1], KEYS[2], KEYS[5])",
            "redis.call('RPUSH', KEYS[5], ARGV[1])",
            "for i = 1, #members, 1000 do",
            "  redis.call('RPUSH', KEYS[5], unpack(members, i, math.min(i + 999, #members)))",
            "end",
            "redis.call('PEXPIRE', KEYS[5], ARGV[3])",
            "return {1, redis.call('GET', KEYS[4]), members}");

    private static final byte[] SHA = StoreScript.sha1Hex(SOURCE);

    /**
     * What a claim returned.
     *
     * @param won whether this claim won the chord
     * @param savedGroup the saved group's bytes, or {@code null}
     * @param members the {@code .j} members, in order (empty when lost)
     */
    public record Claim(boolean won, byte[] savedGroup, List<byte[]> members) {
    }

    private ChordClaimScript() {
    }

    /**
     * Claims a chord; the same {@code token} on a retry finds its own earlier win.
     *
     * @param client the client
     * @param join the {@code .j} key
     * @param diff the {@code .t} key
     * @param size the {@code .s} key
     * @param group the saved group's key
     * @param record the claim record's key
     * @param token a token unique to this report of the part
     * @param ordered whether {@code .j} is a sorted set
     * @return the claim
     */
    public static Claim run(UnifiedJedis client, byte[] join, byte[] diff, byte[] size, byte[] group, byte[] record,
                            String token, boolean ordered) {
        List<byte[]> keys = List.of(join, diff, size, group, record);
        List<byte[]> args = List.of(token.getBytes(StandardCharsets.UTF_8), ordered ? new byte[] {'1'} : new byte[] {'0'},
                Long.toString(RECORD_MILLIS).getBytes(StandardCharsets.US_ASCII));
        List<?> reply = (List<?>) StoreScript.evalsha(client, SHA, SOURCE, keys, args);
        if (!(reply.get(0) instanceof Long won) || won != 1L) {
            return new Claim(false, null, List.of());
        }
        List<byte[]> members = new ArrayList<>();
        for (Object m : (List<?>) reply.get(2)) {
            members.add((byte[]) m);
        }
        return new Claim(true, (byte[]) reply.get(1), members);
    }
}
