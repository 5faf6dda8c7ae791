package io.celeriac.internal;

import com.fasterxml.jackson.core.io.NumberOutput;

/**
 * Python's {@code repr(float)}: the shortest digits that round-trip, in fixed notation when the decimal
 * exponent is in (-4, 16], else in Python's exponent form ({@code 1e-05}, {@code 1.5e+16}). Infinities
 * and NaN are written as Python's {@code json} module writes them.
 *
 * <p>The shortest digits come from Jackson's Schubfach implementation, because {@code Double.toString}
 * before Java 19 does not always give the shortest digits.
 */
public final class PythonFloat {
    private PythonFloat() {
    }

    /**
     * Appends Python's {@code repr} of {@code value} (or {@code Infinity}, {@code -Infinity}, {@code NaN}).
     *
     * @param value the value
     * @param out where to append
     */
    public static void appendRepr(double value, StringBuilder out) {
        if (Double.isNaN(value)) {
            out.append("NaN");
            return;
        }
        if (Double.isInfinite(value)) {
            out.append(value > 0 ? "Infinity" : "-Infinity");
            return;
        }
        if (value == 0.0) {
            out.append((Double.doubleToRawLongBits(value) < 0) ? "-0.0" : "0.0");
            return;
        }
        String java = NumberOutput.toString(value, true);
        // Java form: [-]digits.digits[E[-]exp]
        int i = 0;
        boolean negative = false;
        if (java.charAt(0) == '-') {
            negative = true;
            i = 1;
        }
        int e = java.indexOf('E');
        String mantissa = e < 0 ? java.substring(i) : java.substring(i, e);
        int exp = e < 0 ? 0 : Integer.parseInt(java.substring(e + 1));
        int dot = mantissa.indexOf('.');
        String intPart = dot < 0 ? mantissa : mantissa.substring(0, dot);
        String fracPart = dot < 0 ? "" : mantissa.substring(dot + 1);
        StringBuilder digits = new StringBuilder(intPart.length() + fracPart.length());
        digits.append(intPart).append(fracPart);
        // value = 0.<digits> * 10^decpt with decpt = len(intPart) + exp, after stripping leading zeros
        int decpt = intPart.length() + exp;
        int lead = 0;
        while (lead < digits.length() - 1 && digits.charAt(lead) == '0') {
            lead++;
        }
        decpt -= lead;
        String d = digits.substring(lead);
        int end = d.length();
        while (end > 1 && d.charAt(end - 1) == '0') {
            end--;
        }
        d = d.substring(0, end);
        if (d.length() == 2) {
            // Java's algorithm keeps at least two digits; Python's repr takes one when one round-trips.
            String one = oneDigit(Math.abs(value), d, decpt);
            if (one != null) {
                decpt = one.charAt(0) == '!' ? decpt + 1 : decpt;
                d = one.substring(one.length() - 1);
            }
        }
        if (negative) {
            out.append('-');
        }
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                out.append("0.");
                for (int z = 0; z < -decpt; z++) {
                    out.append('0');
                }
                out.append(d);
            } else if (decpt >= d.length()) {
                out.append(d);
                for (int z = d.length(); z < decpt; z++) {
                    out.append('0');
                }
                out.append(".0");
            } else {
                out.append(d, 0, decpt).append('.').append(d, decpt, d.length());
            }
        } else {
            out.append(d.charAt(0));
            if (d.length() > 1) {
                out.append('.').append(d, 1, d.length());
            }
            int x = decpt - 1;
            out.append('e').append(x < 0 ? '-' : '+');
            int ax = Math.abs(x);
            if (ax < 10) {
                out.append('0');
            }
            out.append(ax);
        }
    }

    /**
     * The one-digit decimal that rounds to {@code abs}, if there is one: the closer of the two candidates
     * around the two-digit {@code d} (value {@code 0.d × 10^decpt}). A leading {@code !} marks a carry
     * (9.x rounded up to 10, so the exponent grows by one).
     */
    private static String oneDigit(double abs, String d, int decpt) {
        int first = d.charAt(0) - '0';
        java.math.BigDecimal exact = new java.math.BigDecimal(abs);
        String best = null;
        java.math.BigDecimal bestDistance = null;
        for (int c = first; c <= first + 1; c++) {
            String digit = c == 10 ? "1" : Integer.toString(c);
            int exp = (c == 10 ? decpt + 1 : decpt) - 1;
            java.math.BigDecimal candidate = new java.math.BigDecimal(digit + "E" + exp);
            if (candidate.signum() == 0 || candidate.doubleValue() != abs) {
                continue;
            }
            java.math.BigDecimal distance = candidate.subtract(exact).abs();
            if (bestDistance == null || distance.compareTo(bestDistance) < 0) {
                bestDistance = distance;
                best = (c == 10 ? "!" : "") + digit;
            }
        }
        return best;
    }

    /**
     * Python's {@code repr} of {@code value}.
     *
     * @param value the value
     * @return the text
     */
    public static String repr(double value) {
        StringBuilder sb = new StringBuilder(24);
        appendRepr(value, sb);
        return sb.toString();
    }
}
