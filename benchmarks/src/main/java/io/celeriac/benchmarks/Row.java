package io.celeriac.benchmarks;

/**
 * One line of the harness's table: a celeriac figure over several runs, the same figure of a yardstick
 * (the server's own benchmark tool) and of Python Celery when measured, and a target when there is one.
 *
 * <p>A row whose celeriac figure could not be measured (the plugin is not installed) has {@code celeriac}
 * {@code null} and says why in {@code missing}; its yardstick and Celery figures are still shown.
 *
 * @param figure what is measured, e.g. {@code "Redis store_result, 1 thread"}
 * @param unit its unit, e.g. {@code "ops/s"} or {@code "ms"}
 * @param celeriac celeriac's samples, one per run, or {@code null} when not measured (see {@code missing})
 * @param yardstickName the yardstick's name, or {@code null}
 * @param yardstick the yardstick's samples, one per run, or {@code null}
 * @param yardstickRatio celeriac / yardstick, computed per run (same run, same load), or {@code null}
 * @param celery Python Celery's samples, or {@code null} when not measured
 * @param target the target in words, or {@code null}
 * @param met whether the target is met, or {@code null} when there is no target or it could not be judged
 * @param missing why celeriac's figure is absent (e.g. {@code "not installed"}), or {@code null}
 */
public record Row(String figure, String unit, Stats celeriac, String yardstickName, Stats yardstick,
                  Stats yardstickRatio, Stats celery, String target, Boolean met, String missing) {

    /**
     * A row with a celeriac figure.
     *
     * @param figure what is measured
     * @param unit its unit
     * @param celeriac celeriac's samples
     * @param yardstickName the yardstick's name, or {@code null}
     * @param yardstick the yardstick's samples, or {@code null}
     * @param yardstickRatio celeriac / yardstick per run, or {@code null}
     * @param celery Celery's samples, or {@code null}
     * @param target the target in words, or {@code null}
     * @param met whether the target is met, or {@code null}
     */
    public Row(String figure, String unit, Stats celeriac, String yardstickName, Stats yardstick,
               Stats yardstickRatio, Stats celery, String target, Boolean met) {
        this(figure, unit, celeriac, yardstickName, yardstick, yardstickRatio, celery, target, met, null);
    }

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

    /**
     * A row that shows a yardstick (and Celery) beside a celeriac figure that was not measured.
     *
     * @param figure what is measured
     * @param unit its unit
     * @param why why celeriac's figure is absent, e.g. {@code "not installed"}
     * @return the row
     */
    public static Row missing(String figure, String unit, String why) {
        return new Row(figure, unit, null, null, null, null, null, null, null, why);
    }

    /**
     * This row with a yardstick.
     *
     * @param name the yardstick's name
     * @param samples its samples, one per run
     * @param ratio celeriac / yardstick per run, or {@code null}
     * @return the new row
     */
    public Row withYardstick(String name, Stats samples, Stats ratio) {
        return new Row(figure, unit, celeriac, name, samples, ratio, celery, target, met, missing);
    }

    /** @return celeriac's median divided by Celery's median, or {@code null} without a Celery or celeriac figure */
    public Double celeryRatio() {
        return celery == null || celeriac == null ? null : celeriac.median() / celery.median();
    }

    /**
     * This row with a Celery figure.
     *
     * @param samples Celery's samples, or {@code null}
     * @return the new row
     */
    public Row withCelery(Stats samples) {
        return new Row(figure, unit, celeriac, yardstickName, yardstick, yardstickRatio, samples, target, met, missing);
    }

    /**
     * This row with a target.
     *
     * @param words the target in words
     * @param isMet whether it is met ({@code null}: cannot be judged in this run)
     * @return the new row
     */
    public Row withTarget(String words, Boolean isMet) {
        return new Row(figure, unit, celeriac, yardstickName, yardstick, yardstickRatio, celery, words, isMet, missing);
    }
}
