package io.celeriac.benchmarks;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The harness's command-line options, parsed once. Immutable.
 *
 * @param runs how many times each figure is measured (median and spread are reported)
 * @param seconds how long one throughput measurement runs
 * @param waits how many waits one wake-up latency measurement times
 * @param sections which sections run ({@code redis}, {@code postgres}, {@code sqlite}, {@code events}, {@code statedb},
 *                 {@code broker-redis}, {@code broker-amqp}, {@code client-redis}, {@code client-amqp},
 *                 {@code worker-redis}, {@code worker-amqp}; {@code broker}, {@code client} and {@code worker} on the
 *                 command line stand for both of their sections)
 * @param celery whether Python Celery's figures are measured too (when it is installed)
 * @param markdown a file to write the table to as well, or {@code null}
 * @param quick whether {@code --quick} was given (the worker sections then send fewer tasks)
 */
public record Options(int runs, double seconds, int waits, Set<String> sections, boolean celery, Path markdown,
                      boolean quick) {

    /** Every section, in the order they run. */
    public static final List<String> SECTIONS = List.of("redis", "postgres", "sqlite", "events", "statedb",
            "broker-redis", "broker-amqp", "client-redis", "client-amqp", "worker-redis", "worker-amqp", "monitor");

    /** Names that stand for several sections on the command line. */
    public static final Map<String, List<String>> GROUPS = Map.of("broker", List.of("broker-redis", "broker-amqp"),
            "client", List.of("client-redis", "client-amqp"), "worker", List.of("worker-redis", "worker-amqp"));

    /** The usage text. */
    public static final String USAGE = String.join("\n",
            "usage: Harness [--quick] [--runs N] [--seconds S] [--waits N] [--only a,b] [--no-celery] [--markdown FILE]",
            "  --quick        1 run of 1 s per throughput figure, 200 waits, 2,000 worker tasks (a smoke run)",
            "  --runs N       runs per figure, 1-9 (default 3)",
            "  --seconds S    seconds per throughput measurement, 0.2-30 (default 2)",
            "  --waits N      waits per latency measurement, 10-100000 (default 1000)",
            "  --only LIST    sections to run, of " + String.join(",", SECTIONS) + ",",
            "                 or broker / client / worker (both brokers) (default all)",
            "  --no-celery    skip Python Celery's and kombu's figures",
            "  --markdown F   also write the table to F");

    /**
     * Parses arguments; every problem is collected and reported together.
     *
     * @param args the arguments
     * @return the options
     * @throws IllegalArgumentException naming every problem, followed by the usage
     */
    public static Options parse(String... args) {
        int runs = 3;
        double seconds = 2;
        int waits = 1000;
        boolean quick = false;
        Integer runsArg = null;
        Double secondsArg = null;
        Integer waitsArg = null;
        Set<String> sections = new LinkedHashSet<>(SECTIONS);
        boolean celery = true;
        Path markdown = null;
        StringBuilder problems = new StringBuilder();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            try {
                switch (a) {
                    case "--quick" -> quick = true;
                    case "--no-celery" -> celery = false;
                    case "--runs" -> {
                        runsArg = Integer.parseInt(need(a, value));
                        i++;
                    }
                    case "--seconds" -> {
                        secondsArg = Double.parseDouble(need(a, value));
                        i++;
                    }
                    case "--waits" -> {
                        waitsArg = Integer.parseInt(need(a, value));
                        i++;
                    }
                    case "--only" -> {
                        sections = new LinkedHashSet<>();
                        for (String s : need(a, value).split(",")) {
                            String name = s.strip();
                            if (GROUPS.containsKey(name)) {
                                sections.addAll(GROUPS.get(name));
                            } else if (!SECTIONS.contains(name)) {
                                problems.append("unknown section '").append(name).append("'\n");
                            } else {
                                sections.add(name);
                            }
                        }
                        i++;
                    }
                    case "--markdown" -> {
                        markdown = Path.of(need(a, value));
                        i++;
                    }
                    default -> problems.append("unknown argument '").append(a).append("'\n");
                }
            } catch (NumberFormatException e) {
                problems.append(a).append(" needs a number, not '").append(value).append("'\n");
                i++;
            } catch (IllegalArgumentException e) {
                problems.append(e.getMessage()).append('\n');
            }
        }
        if (quick) {
            runs = 1;
            seconds = 1;
            waits = 200;
        }
        runs = runsArg != null ? runsArg : runs;
        seconds = secondsArg != null ? secondsArg : seconds;
        waits = waitsArg != null ? waitsArg : waits;
        if (runs < 1 || runs > 9) {
            problems.append("--runs must be 1 to 9, not ").append(runs).append('\n');
        }
        if (!(seconds >= 0.2 && seconds <= 30)) {
            problems.append("--seconds must be 0.2 to 30, not ").append(seconds).append('\n');
        }
        if (waits < 10 || waits > 100_000) {
            problems.append("--waits must be 10 to 100000, not ").append(waits).append('\n');
        }
        if (problems.length() > 0) {
            throw new IllegalArgumentException(problems + USAGE);
        }
        return new Options(runs, seconds, waits, Set.copyOf(sections), celery, markdown, quick);
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /**
     * Whether a section runs.
     *
     * @param section its name
     * @return {@code true} when it was asked for
     */
    public boolean runs(String section) {
        return sections.contains(section);
    }
}
