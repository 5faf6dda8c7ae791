package io.celeriac.monitor.internal;

import io.celeriac.Celeriac;
import io.celeriac.broker.BrokerOptions;
import io.celeriac.events.EventSourceOptions;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The validated settings of a monitor, made by {@code Monitor.Builder}. Immutable. {@link #toString()} hides the
 * password and the token.
 *
 * @param celeriac the registry
 * @param brokerUrl the broker whose events are followed
 * @param backendUrl the result backend, or {@code null}
 * @param brokerOptions options of the broker opened for queue depths and actions
 * @param eventSourceOptions options of the event source
 * @param address the address bound
 * @param port the port (0: any free one)
 * @param user the basic-auth user, or {@code null}
 * @param password the basic-auth password, or {@code null}
 * @param token the bearer token, or {@code null}
 * @param metricsOpen whether {@code /metrics} needs no credentials
 * @param readOnly whether actions are refused
 * @param history the SQLite file of the history, or {@code null} for memory only
 * @param historyMaxTasks the most tasks the history keeps
 * @param historyMaxAge how long a task stays in the history
 * @param maxTasksInMemory the event state's task limit
 * @param maxWorkersInMemory the event state's worker limit
 * @param queues the queues watched from the start
 * @param queuePollInterval how often queue depths are read
 * @param inspectInterval how often workers are inspected (zero: never)
 * @param httpThreads the HTTP worker threads
 */
public record Settings(Celeriac celeriac, String brokerUrl, String backendUrl, BrokerOptions brokerOptions,
                       EventSourceOptions eventSourceOptions, String address, int port, String user, String password,
                       String token, boolean metricsOpen, boolean readOnly, Path history, int historyMaxTasks,
                       Duration historyMaxAge, int maxTasksInMemory, int maxWorkersInMemory, List<String> queues,
                       Duration queuePollInterval, Duration inspectInterval, int httpThreads) {

    /** @return whether any credential is required */
    public boolean authRequired() {
        return user != null || token != null;
    }

    @Override
    public String toString() {
        return "Settings[broker=" + Urls.mask(brokerUrl) + ", backend=" + Urls.mask(backendUrl) + ", address="
                + address + ", port=" + port + ", auth=" + (user != null ? "basic" : "") + (token != null ? "+token" : "")
                + ", history=" + history + "]";
    }
}
