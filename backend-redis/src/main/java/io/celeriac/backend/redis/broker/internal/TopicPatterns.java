package io.celeriac.backend.redis.broker.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * kombu's topic exchange on the virtual transport ({@code kombu/transport/virtual/exchange.py:TopicExchange}): a
 * binding key becomes a regular expression, which kombu stores as the middle part of the binding member, and a
 * routing key matches a binding when that expression matches it from its start. The key's characters that are not
 * letters, digits, {@code .}, {@code #} or {@code *} are escaped, the key is split at {@code .}, each {@code *}
 * word becomes {@code .*?[^\.]} and each {@code #} word {@code .*?}, the words are joined with {@code \.} and the
 * whole is anchored with {@code ^...$}. Patterns stored by Python are compiled as Java expressions (the constructs
 * kombu writes mean the same in both). Thread-safe.
 */
final class TopicPatterns {

    private static final int CACHE_LIMIT = 10_000;
    private static final Map<String, Pattern> COMPILED = new ConcurrentHashMap<>();

    private TopicPatterns() {
    }

    /** kombu's {@code TopicExchange.key_to_pattern}. */
    static String keyToPattern(String bindingKey) {
        StringBuilder escaped = new StringBuilder(bindingKey.length() + 8);
        bindingKey.codePoints().forEach(cp -> {
            if (isAlnum(cp) || cp == '.' || cp == '#' || cp == '*') {
                escaped.appendCodePoint(cp);
            } else if (cp == 0) {
                escaped.append("\\000");
            } else {
                escaped.append('\\').appendCodePoint(cp);
            }
        });
        String[] words = escaped.toString().split("\\.", -1);
        StringBuilder sb = new StringBuilder("^");
        for (int i = 0; i < words.length; i++) {
            if (i > 0) {
                sb.append("\\.");
            }
            String w = words[i];
            sb.append(w.equals("*") ? ".*?[^\\.]" : w.equals("#") ? ".*?" : w);
        }
        return sb.append('$').toString();
    }

    /** Python's {@code str.isalnum} for one code point. */
    private static boolean isAlnum(int cp) {
        if (Character.isLetterOrDigit(cp)) {
            return true;
        }
        int type = Character.getType(cp);
        return type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    /**
     * Whether a routing key matches a binding of a topic exchange: by its stored pattern, or by its key when the
     * pattern is empty (a member written for a direct or fanout exchange of that name).
     */
    static boolean matches(String bindingKey, String pattern, String routingKey) {
        String p = pattern == null || pattern.isEmpty() ? keyToPattern(bindingKey) : pattern;
        Pattern compiled = COMPILED.get(p);
        if (compiled == null) {
            try {
                compiled = Pattern.compile(p);
            } catch (PatternSyntaxException e) {
                return false;
            }
            if (COMPILED.size() >= CACHE_LIMIT) {
                COMPILED.clear();
            }
            COMPILED.put(p, compiled);
        }
        return compiled.matcher(routingKey).lookingAt();
    }
}
