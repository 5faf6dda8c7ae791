package io.celeriac.fuzz;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Bounded random generators for the fuzz tests: JSON-like values and hostile text. */
final class RandomValues {
    private RandomValues() {
    }

    private static final String[] TRICKY = {"", "\"", "\\", "\n", "\u0000", "\u007f", "\u2028", "\ud83d\ude80", "\ud800",
            "%", "%zz", "@", ":", "/", "?", "#", ";", "[", "]", " ", "\t", "é", "日本", "NaN", "Infinity"};

    static String text(Random r, int maxLen) {
        int n = r.nextInt(maxLen + 1);
        StringBuilder sb = new StringBuilder(n);
        while (sb.length() < n) {
            switch (r.nextInt(6)) {
                case 0 -> sb.append(TRICKY[r.nextInt(TRICKY.length)]);
                case 1 -> sb.append((char) r.nextInt(0x80));
                case 2 -> sb.appendCodePoint(0x80 + r.nextInt(0x2f00));
                case 3 -> sb.appendCodePoint(0x10000 + r.nextInt(0x1000));
                default -> sb.append((char) ('a' + r.nextInt(26)));
            }
        }
        return sb.toString();
    }

    static Object value(Random r, int depth) {
        int kind = r.nextInt(depth <= 0 ? 8 : 10);
        switch (kind) {
            case 0:
                return null;
            case 1:
                return r.nextBoolean();
            case 2:
                return (long) r.nextInt();
            case 3:
                return r.nextLong();
            case 4:
                return new BigInteger(70 + r.nextInt(100), r).multiply(BigInteger.valueOf(r.nextBoolean() ? 1 : -1));
            case 5: {
                double d = switch (r.nextInt(5)) {
                    case 0 -> Double.longBitsToDouble(r.nextLong());
                    case 1 -> r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20);
                    case 2 -> (double) r.nextInt(1000) / (1 + r.nextInt(100));
                    case 3 -> new double[]{0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.MIN_VALUE, Double.MAX_VALUE}[r.nextInt(7)];
                    default -> Math.scalb(1.0, r.nextInt(2000) - 1000);
                };
                return d;
            }
            case 6:
            case 7:
                return text(r, 12);
            case 8: {
                int n = r.nextInt(5);
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(value(r, depth - 1));
                }
                return l;
            }
            default: {
                int n = r.nextInt(5);
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    m.put(text(r, 6), value(r, depth - 1));
                }
                return m;
            }
        }
    }
}
