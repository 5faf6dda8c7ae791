package io.celeriac.broker.memory;

import io.celeriac.broker.BrokerOptions;
import io.celeriac.url.BackendUrl;
import io.celeriac.url.InvalidUrlException;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The configuration of a {@code memory://} broker, parsed once from its URL and options by {@link #parse}.
 *
 * <p>The URL names the in-memory server: {@code memory://} (or {@code memory:///}) the default one,
 * {@code memory://name} (host and path, a trailing {@code /} ignored) a named one. Brokers of this JVM opened on
 * the same name share that server's exchanges, queues and messages while at least one of them is open; when the
 * last one closes the server and everything in it are gone. The memory broker has no settings: a query parameter
 * or an option property is reported as a problem, so that a misspelt setting is never silently ignored.
 *
 * <p>Immutable and thread-safe.
 */
public final class MemoryBrokerConfig {

    private final BackendUrl url;
    private final String serverName;

    private MemoryBrokerConfig(BackendUrl url, String serverName) {
        this.url = url;
        this.serverName = serverName;
    }

    /**
     * Parses a {@code memory://} broker URL.
     *
     * @param url {@code memory://} or {@code memory://name}
     * @param options the broker options; they must be empty
     * @return the configuration
     * @throws InvalidUrlException listing every setting given (the memory broker knows none)
     * @throws NullPointerException when an argument is null
     */
    public static MemoryBrokerConfig parse(BackendUrl url, BrokerOptions options) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(options, "options");
        List<String> problems = new ArrayList<>();
        for (String name : url.query().keySet()) {
            problems.add("unknown setting '" + name + "': the memory broker has no settings");
        }
        for (String name : options.properties().keySet()) {
            problems.add("unknown property '" + name + "': the memory broker has no settings");
        }
        if (!problems.isEmpty()) {
            throw InvalidUrlException.of(url, problems);
        }
        String name = url.host() == null ? "" : url.host() + url.path();
        while (name.endsWith("/")) {
            name = name.substring(0, name.length() - 1);
        }
        return new MemoryBrokerConfig(url, name);
    }

    /**
     * The URL.
     *
     * @return the URL
     */
    public BackendUrl url() {
        return url;
    }

    /**
     * The name of the in-memory server: host and path of {@code memory://name}.
     *
     * @return the name, {@code ""} for the default server of {@code memory://}
     */
    public String serverName() {
        return serverName;
    }

    @Override
    public String toString() {
        return "MemoryBrokerConfig[" + url.masked() + "]";
    }
}
