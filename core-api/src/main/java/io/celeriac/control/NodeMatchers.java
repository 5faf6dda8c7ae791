package io.celeriac.control;

import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * kombu's node matchers ({@code kombu/matcher.py}): {@code glob} is Python's {@code fnmatch} (the whole name,
 * {@code *}, {@code ?}, {@code [seq]}, {@code [!seq]}; case-sensitive as on POSIX) and {@code pcre} is Python's
 * {@code re.match} (a regular expression anchored at the start of the name only). Stateless.
 */
final class NodeMatchers {

    private NodeMatchers() {
    }

    static boolean matches(String nodename, String pattern, String matcher) {
        return switch (matcher) {
            case "glob" -> Pattern.compile(globToRegex(pattern), Pattern.DOTALL).matcher(nodename).matches();
            case "pcre" -> {
                try {
                    yield Pattern.compile(pattern).matcher(nodename).lookingAt();
                } catch (PatternSyntaxException e) {
                    throw new MalformedControlRequestException("its pcre pattern '" + pattern + "' is not valid: "
                            + e.getDescription(), e);
                }
            }
            default -> throw new MalformedControlRequestException("its matcher '" + matcher
                    + "' is not installed (kombu has glob and pcre)");
        };
    }

    /** Python's {@code fnmatch.translate}, as a Java regular expression. */
    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        int n = glob.length();
        while (i < n) {
            char c = glob.charAt(i++);
            if (c == '*') {
                re.append(".*");
            } else if (c == '?') {
                re.append('.');
            } else if (c == '[') {
                int j = i;
                if (j < n && glob.charAt(j) == '!') {
                    j++;
                }
                if (j < n && glob.charAt(j) == ']') {
                    j++;
                }
                while (j < n && glob.charAt(j) != ']') {
                    j++;
                }
                if (j >= n) {
                    re.append("\\[");
                } else {
                    String set = glob.substring(i, j);
                    i = j + 1;
                    StringBuilder cls = new StringBuilder("[");
                    int k = 0;
                    if (set.startsWith("!")) {
                        cls.append('^');
                        k = 1;
                    }
                    for (; k < set.length(); k++) {
                        char s = set.charAt(k);
                        if (s == '\\' || s == '[' || s == ']' || s == '&' || s == '^') {
                            cls.append('\\');
                        }
                        cls.append(s);
                    }
                    re.append(cls).append(']');
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
