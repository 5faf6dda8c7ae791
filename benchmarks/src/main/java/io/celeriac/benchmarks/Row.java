package io.celeriac.benchmarks;

/**
 * One line of the harness's table: a celeriac figure over several runs, the same figure of a yardstick
 * (the server's own benchmark tool) and of Python Celery when measured, and a target when there is one.
 *
 * @param figure what is measured, e.g. {@code "Redis store_result, 1 thread"}
 * @param unit its unit, e.g. {@code "ops/s"} or {@code "ms"}
 * @param celeriac celeriac's samples, one per run
 * @param yardstickName the yardstick's name, or {@code null}
 * @param yardstick the yardstick's samples, one per run, or {@code null}
 * @param yardstickRatio celeriac / yardstick, computed per run (same run, same load), or {@code null}
 * @param celery Python Celery's samples, or {@code null} when not measured
 * @param target the target in words, or {@code null}
 * @param met whether the target is met, or {@code null} when there is no target or it could not be judged
 */
public record Row(String figure, String unit, Stats celeriac, String yardstickName, Stats yardstick,
                  Stats yardstickRatio, Stats celery, String target, Boolean met) {

    /**
     * A row with no yardstick, no Celery figure and no target.
     *
     * @param figure what is measured
     * @param unit its unit
     * @param celeriac the samples
     * @return the row
     */
    public static Row plain(String figure, String unit, Stats celeriac) {
        return new Row(figure, unit, celeriac, null, null, null, null, null, null);
    }

    /** @return celeriac's median divided by Celery's median, or {@code null} without a Celery figure */
    public Double celeryRatio() {
        return celery == null ? null : celeriac.median() / celery.median();
    }

    /**
     * This row with a Celery figure.
     *
     * @param samples Celery's samples, or {@code null}
     * @return the new row
     */
    public Row withCelery(Stats samples) {
        return new Row(figure, unit, celeriac, yardstickName, yardstick, yardstickRatio, samples, target, met);
    }

    /**
     * This row with a target.
     *
     * @param words the target in words
     * @param isMet whether it is met ({@code null}: cannot be judged in this run)
     * @return the new row
     */
    public Row withTarget(String words, Boolean isMet) {
        return new Row(figure, unit, celeriac, yardstickName, yardstick, yardstickRatio, celery, words, isMet);
    }
}
