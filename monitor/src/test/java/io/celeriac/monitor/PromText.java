package io.celeriac.monitor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser of Prometheus' text exposition format (0.0.4), strict enough to fail on malformed output: every
 * sample line is {@code name[{label="value",...}] value}, label values with their escapes, every sample's family
 * declared by {@code # TYPE} before it, and each family's samples together.
 */
final class PromText {

    /** One sample. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    final List<Sample> samples = new ArrayList<>();
    final Map<String, String> types = new LinkedHashMap<>();

    static PromText parse(String text) {
        PromText p = new PromText();
        String current = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                if (parts.length != 2 || p.types.containsKey(parts[0])) {
                    throw new IllegalArgumentException("line " + lineNo + ": bad or repeated TYPE: " + line);
                }
                p.types.put(parts[0], parts[1]);
                current = parts[0];
                continue;
            }
            if (line.startsWith("#")) {
                continue;
            }
            Sample s = sample(line, lineNo);
            if (current == null || !s.name().startsWith(current)) {
                throw new IllegalArgumentException("line " + lineNo + ": sample outside its family " + current + ": "
                        + line);
            }
            p.samples.add(s);
        }
        return p;
    }

    private static Sample sample(String line, int lineNo) {
        int i = 0;
        while (i < line.length() && (Character.isLetterOrDigit(line.charAt(i)) || line.charAt(i) == '_'
                || line.charAt(i) == ':')) {
            i++;
        }
        String name = line.substring(0, i);
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            throw new IllegalArgumentException("line " + lineNo + ": bad metric name: " + line);
        }
        Map<String, String> labels = new LinkedHashMap<>();
        if (i < line.length() && line.charAt(i) == '{') {
            i++;
            while (line.charAt(i) != '}') {
                int eq = line.indexOf('=', i);
                String label = line.substring(i, eq);
                if (!label.matches("[a-zA-Z_][a-zA-Z0-9_]*") || line.charAt(eq + 1) != '"') {
                    throw new IllegalArgumentException("line " + lineNo + ": bad label: " + line);
                }
                StringBuilder v = new StringBuilder();
                int j = eq + 2;
                while (line.charAt(j) != '"') {
                    char c = line.charAt(j);
                    if (c == '\\') {
                        char n = line.charAt(++j);
                        v.append(n == 'n' ? '\n' : n);
                    } else {
                        v.append(c);
                    }
                    j++;
                }
                labels.put(label, v.toString());
                i = j + 1;
                if (line.charAt(i) == ',') {
                    i++;
                }
            }
            i++;
        }
        if (line.charAt(i) != ' ') {
            throw new IllegalArgumentException("line " + lineNo + ": no space before the value: " + line);
        }
        String[] rest = line.substring(i + 1).split(" ");
        double value = switch (rest[0]) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(rest[0]);
        };
        return new Sample(name, labels, value);
    }

    /** The sum of the samples of a name whose labels include all the given ones. */
    double sum(String name, String... labelPairs) {
        double total = 0;
        for (Sample s : samples) {
            if (s.name().equals(name) && matches(s, labelPairs)) {
                total += s.value();
            }
        }
        return total;
    }

    List<Sample> find(String name, String... labelPairs) {
        List<Sample> out = new ArrayList<>();
        for (Sample s : samples) {
            if (s.name().equals(name) && matches(s, labelPairs)) {
                out.add(s);
            }
        }
        return out;
    }

    private static boolean matches(Sample s, String... pairs) {
        for (int k = 0; k + 1 < pairs.length; k += 2) {
            if (!pairs[k + 1].equals(s.labels().get(pairs[k]))) {
                return false;
            }
        }
        return true;
    }
}
