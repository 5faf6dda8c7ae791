package io.celeriac.worker;

/**
 * The worker on RabbitMQ (a private vhost when the server allows one) with PostgreSQL results: chords go through
 * Celery's {@code celery.chord_unlock}, which the Java worker runs.
 */
class RabbitPostgresWorkerTest extends WorkerContract {

    private RabbitPostgresPlace place;

    @Override
    String[] openServers() {
        place = new RabbitPostgresPlace(true);
        return new String[] {place.brokerUrl(), place.backendUrl()};
    }

    @Override
    void closeServers() {
        if (place != null) {
            place.close();
            place = null;
        }
    }
}
