package io.celeriac;

import java.util.List;

/**
 * Raised when a URL or a set of options cannot be used; it lists every problem found, not just the first.
 *
 * <p>Messages name the offending parameter and the masked URL, never a password.
 */
public class InvalidConfigurationException extends CeleriacException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /**
     * Creates the exception for one or more problems.
     *
     * @param heading what was being configured, e.g. {@code "Invalid backend URL redis://:**@host/"}
     * @param problems every problem found, each a full sentence
     */
    public InvalidConfigurationException(String heading, List<String> problems) {
        super(format(heading, problems));
        this.problems = List.copyOf(problems);
    }

    /**
     * Creates the exception for one problem with a cause.
     *
     * @param heading what was being configured
     * @param problem the problem
     * @param cause the underlying failure
     */
    public InvalidConfigurationException(String heading, String problem, Throwable cause) {
        super(format(heading, List.of(problem)), cause);
        this.problems = List.of(problem);
    }

    /**
     * Every problem found, in the order found.
     *
     * @return the problems, never empty
     */
    public List<String> problems() {
        return problems;
    }

    private static String format(String heading, List<String> problems) {
        if (problems.size() == 1) {
            return heading + ": " + problems.get(0);
        }
        StringBuilder sb = new StringBuilder(heading).append(": ").append(problems.size()).append(" problems:");
        for (int i = 0; i < problems.size(); i++) {
            sb.append("\n  ").append(i + 1).append(") ").append(problems.get(i));
        }
        return sb.toString();
    }
}
