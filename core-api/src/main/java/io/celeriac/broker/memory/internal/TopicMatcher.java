package io.celeriac.broker.memory.internal;

/**
 * AMQP topic matching, as RabbitMQ and kombu's {@code pyamqp} transport route: keys are words separated by
 * {@code .}; in a binding key {@code *} stands for exactly one word and {@code #} for zero or more words; every
 * other word must equal the routing key's word. An empty key is one empty word. Stateless.
 */
final class TopicMatcher {

    private TopicMatcher() {
    }

    /**
     * Whether a routing key matches a binding key.
     *
     * @param bindingKey the pattern
     * @param routingKey the key a message was published with
     * @return whether the message goes to the binding's queue
     */
    static boolean matches(String bindingKey, String routingKey) {
        if (bindingKey.equals("#") || bindingKey.equals(routingKey)) {
            return true;
        }
        String[] p = bindingKey.split("\\.", -1);
        String[] r = routingKey.split("\\.", -1);
        // can[j]: the first i pattern words can match the first j routing words (one row per i, kept in place)
        boolean[] can = new boolean[r.length + 1];
        can[0] = true;
        for (String word : p) {
            boolean[] next = new boolean[r.length + 1];
            if (word.equals("#")) {
                boolean any = false;
                for (int j = 0; j <= r.length; j++) {
                    any |= can[j];
                    next[j] = any;
                }
            } else {
                for (int j = 1; j <= r.length; j++) {
                    next[j] = can[j - 1] && (word.equals("*") || word.equals(r[j - 1]));
                }
            }
            can = next;
        }
        return can[r.length];
    }
}
