/**
 * The monitor: a Flower-class web UI, a Flower-shaped JSON API and Prometheus {@code /metrics} with
 * celery-exporter's names, all on one cluster's events, with a task history that survives restarts. Start one
 * with {@link io.celeriac.monitor.Monitor#builder()}, or from the command line with {@code celeriac monitor}.
 */
package io.celeriac.monitor;
