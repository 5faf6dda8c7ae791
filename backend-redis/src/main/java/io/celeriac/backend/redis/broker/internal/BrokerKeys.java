package io.celeriac.backend.redis.broker.internal;

import io.celeriac.backend.redis.broker.RedisBrokerConfig;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The names of the broker's keys, as kombu's Redis transport makes them, each with the {@code global_keyprefix}
 * before it: a list per queue ({@code queue}) and one per priority step above 0 ({@code queue + sep + step}), the
 * binding sets {@code _kombu.binding.<exchange>} with members {@code routing_key + sep + pattern + sep + queue},
 * and {@code unacked}, {@code unacked_index}, {@code unacked_mutex}. Besides kombu's, celeriac keeps its
 * declarations in two hashes ({@code _celeriac.queues}, {@code _celeriac.exchanges}: name to JSON), which kombu
 * never reads, and wakes a blocked consumer through a short-lived list {@code _celeriac.wake.<id>}. Immutable.
 */
final class BrokerKeys {

    /** kombu's {@code keyprefix_queue}. */
    static final String BINDING_PREFIX = "_kombu.binding.";
    /** Where celeriac records queue declarations. */
    static final String QUEUES = "_celeriac.queues";
    /** Where celeriac records exchange declarations. */
    static final String EXCHANGES = "_celeriac.exchanges";
    /** The lists that wake a blocked consumer when its subscription is cancelled. */
    static final String WAKE_PREFIX = "_celeriac.wake.";

    private final String prefix;
    private final String sep;
    private final int[] steps;
    private final byte[] unacked;
    private final byte[] unackedIndex;
    private final byte[] unackedMutex;
    private final byte[] queues;
    private final byte[] exchanges;

    BrokerKeys(RedisBrokerConfig config) {
        this.prefix = config.keyPrefix();
        this.sep = config.sep();
        this.steps = config.prioritySteps().stream().mapToInt(Integer::intValue).toArray();
        this.unacked = key(config.unackedKey());
        this.unackedIndex = key(config.unackedIndexKey());
        this.unackedMutex = key(config.unackedMutexKey());
        this.queues = key(QUEUES);
        this.exchanges = key(EXCHANGES);
    }

    /** The global key prefix followed by a name. */
    byte[] key(String name) {
        return utf8(prefix + name);
    }

    /** @return the global key prefix, {@code ""} for none */
    String prefix() {
        return prefix;
    }

    /** @return kombu's separator */
    String sep() {
        return sep;
    }

    /** @return the priority steps, ascending, from 0 */
    int[] steps() {
        return steps.clone();
    }

    /**
     * The step of a priority, as kombu's {@code _q_for_pri}: the priority is first held to 0..9, then the largest
     * step not above it is taken.
     */
    int stepFor(int priority) {
        int p = Math.max(0, Math.min(9, priority));
        int step = steps[0];
        for (int s : steps) {
            if (s <= p) {
                step = s;
            }
        }
        return step;
    }

    /** The name of a queue's list for a step (without the global prefix). */
    String listName(String queue, int step) {
        return step == 0 ? queue : queue + sep + step;
    }

    /** The key of a queue's list for a step. */
    byte[] list(String queue, int step) {
        return key(listName(queue, step));
    }

    /** Every list of a queue, step 0 first. */
    List<byte[]> lists(String queue) {
        List<byte[]> out = new ArrayList<>(steps.length);
        for (int s : steps) {
            out.add(list(queue, s));
        }
        return out;
    }

    /** The binding set of an exchange. */
    byte[] binding(String exchange) {
        return key(BINDING_PREFIX + exchange);
    }

    /** A binding set member: {@code routing_key + sep + pattern + sep + queue}. */
    byte[] member(String routingKey, String pattern, String queue) {
        return utf8(routingKey + sep + pattern + sep + queue);
    }

    /**
     * Splits a binding member into routing key, pattern and queue (the queue keeps any further separator).
     *
     * @return the three parts, or {@code null} when the member has fewer than two separators
     */
    String[] parseMember(byte[] member) {
        String m = new String(member, StandardCharsets.UTF_8);
        int a = m.indexOf(sep);
        int b = a < 0 ? -1 : m.indexOf(sep, a + sep.length());
        if (b < 0) {
            return null;
        }
        return new String[] {m.substring(0, a), m.substring(a + sep.length(), b), m.substring(b + sep.length())};
    }

    byte[] unacked() {
        return unacked;
    }

    byte[] unackedIndex() {
        return unackedIndex;
    }

    byte[] unackedMutex() {
        return unackedMutex;
    }

    byte[] queueDeclarations() {
        return queues;
    }

    byte[] exchangeDeclarations() {
        return exchanges;
    }

    byte[] wake(String id) {
        return key(WAKE_PREFIX + id);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
