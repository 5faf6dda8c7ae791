package io.celeriac.tck;

import io.celeriac.broker.Broker;
import io.celeriac.broker.BrokerCapability;

import java.util.Set;

/**
 * What a plugin gives {@link BrokerContract}: brokers opened on a place where the test may declare its own
 * queues and exchanges (the kit names every one of them uniquely and deletes them after the test), and the
 * capabilities those brokers declare.
 *
 * <p>The kit creates one fixture per test, opens one or more brokers on it (all of them must see the same queues,
 * as separate processes on one broker would), closes those brokers and then the fixture.
 */
public interface BrokerFixture extends AutoCloseable {

    /**
     * Opens a new broker connection on this fixture's broker (the same virtual host or database each time).
     *
     * @return a new broker; the kit closes it
     */
    Broker open();

    /**
     * The capabilities the broker is expected to declare. The kit checks the broker declares exactly these and
     * runs the tests of each.
     *
     * @return the expected capabilities
     */
    Set<BrokerCapability> capabilities();

    /**
     * Removes what the test left. The default does nothing.
     *
     * @throws Exception on failure
     */
    @Override
    default void close() throws Exception {
    }
}
