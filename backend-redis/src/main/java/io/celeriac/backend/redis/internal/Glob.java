package io.celeriac.backend.redis.internal;

/**
 * Redis glob patterns (SCAN MATCH, PSUBSCRIBE) built from literal text. Stateless.
 */
public final class Glob {

    private Glob() {
    }

    /**
     * Escapes Redis glob characters ({@code * ? [ ] \}) so that a text matches only itself in a pattern.
     *
     * @param s the text
     * @return the escaped text
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
