package io.celeriac.benchmarks;

import java.util.Arrays;
import java.util.Collection;

/**
 * Summary of repeated measurements of one figure: median and spread (min to max), and percentiles for
 * latency samples. Immutable; the samples are copied and sorted on construction.
 */
public final class Stats {

    private final double[] sorted;

    private Stats(double[] sorted) {
        this.sorted = sorted;
    }

    /**
     * Summarises samples.
     *
     * @param samples at least one value
     * @return the summary
     * @throws IllegalArgumentException when there is no sample
     */
    public static Stats of(double... samples) {
        if (samples.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        double[] s = samples.clone();
        Arrays.sort(s);
        return new Stats(s);
    }

    /**
     * Summarises samples.
     *
     * @param samples at least one value
     * @return the summary
     */
    public static Stats of(Collection<? extends Number> samples) {
        return of(samples.stream().mapToDouble(Number::doubleValue).toArray());
    }

    /** @return how many samples */
    public int count() {
        return sorted.length;
    }

    /** @return the median (the mean of the two middle values for an even count) */
    public double median() {
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /** @return the smallest sample */
    public double min() {
        return sorted[0];
    }

    /** @return the largest sample */
    public double max() {
        return sorted[sorted.length - 1];
    }

    /**
     * The nearest-rank percentile.
     *
     * @param p between 0 and 100
     * @return the smallest sample with at least {@code p} % of the samples at or below it
     */
    public double percentile(double p) {
        if (p < 0 || p > 100) {
            throw new IllegalArgumentException("percentile " + p);
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }
}
