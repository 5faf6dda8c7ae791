/**
 * The side-by-side load harness ({@link io.celeriac.benchmarks.Harness}): celeriac's backends, event state and
 * state store against real servers, next to the servers' own benchmark tools and to Python Celery doing the
 * same operations. Run on purpose with {@code ./benchmarks/run.sh}; never part of the test suite.
 */
package io.celeriac.benchmarks;
