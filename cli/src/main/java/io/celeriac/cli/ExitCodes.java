package io.celeriac.cli;

/** The command's exit codes. */
final class ExitCodes {
    /** Success. */
    static final int OK = 0;
    /** A failure: bad input, unreachable server, corrupt data (one line on stderr). */
    static final int ERROR = 1;
    /** Bad usage (unknown option, missing argument). */
    static final int USAGE = 2;
    /** A wait timed out. */
    static final int TIMEOUT = 3;
    /** The task waited for failed or was revoked. */
    static final int TASK_FAILED = 4;
    /** A migration's verification found results missing in the target. */
    static final int INCOMPLETE = 5;

    private ExitCodes() {
    }
}
