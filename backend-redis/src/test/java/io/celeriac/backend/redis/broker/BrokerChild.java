package io.celeriac.backend.redis.broker;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.broker.ConsumeOptions;

import java.util.List;

/**
 * The consumer that {@link RedisBrokerFaultTest} runs in a child JVM and SIGKILLs: it consumes a queue with a prefetch
 * and never settles what it gets, printing {@code HELD <correlation id>} for each delivery.
 */
public final class BrokerChild {

    private BrokerChild() {
    }

    /**
     * Runs the consumer until killed.
     *
     * @param args the broker URL, the queue, the prefetch
     * @throws InterruptedException never: it waits to be killed
     */
    public static void main(String[] args) throws InterruptedException {
        Broker broker = Celeriac.discover().openBroker(args[0]);
        broker.consume(List.of(args[1]), ConsumeOptions.prefetch(Integer.parseInt(args[2])), d -> {
            System.out.println("HELD " + d.message().correlationId());
            System.out.flush();
        });
        System.out.println("CONSUMING");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
