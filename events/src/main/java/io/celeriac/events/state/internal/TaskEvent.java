package io.celeriac.events.state.internal;

import java.util.Map;
import java.util.function.BiConsumer;

/**
 * One task event's fields, sorted out in a single pass over the event's map: the envelope fields the
 * dispatcher needs, Celery's {@code Task} fields by number (with a bit mask of those present) and the other
 * fields in order. Reused for every event by its {@link ClusterModel}, so parsing allocates nothing and
 * reads the event's entries sequentially instead of looking keys up one by one. Not thread-safe.
 */
final class TaskEvent implements BiConsumer<String, Object> {

    // Celery's RECEIVED merge rule fields: bits 0..7
    static final int NAME = 0;
    static final int ARGS = 1;
    static final int KWARGS = 2;
    static final int PARENT_ID = 3;
    static final int ROOT_ID = 4;
    static final int RETRIES = 5;
    static final int ETA = 6;
    static final int EXPIRES = 7;
    static final int MERGE_MASK = 0xFF;
    // the other Task fields
    static final int RESULT = 8;
    static final int EXCEPTION = 9;
    static final int TRACEBACK = 10;
    static final int EXCHANGE = 11;
    static final int ROUTING_KEY = 12;
    static final int RUNTIME = 13;
    static final int RECEIVED = 14;
    static final int SENT = 15;
    static final int STARTED = 16;
    static final int SUCCEEDED = 17;
    static final int FAILED = 18;
    static final int RETRIED = 19;
    static final int REVOKED = 20;
    static final int REJECTED = 21;
    static final int FIELDS = 22;

    Object uuid;
    Object hostname;
    Object timestamp;
    Object localReceived;
    Object clock;
    boolean hasUuid;
    boolean hasHostname;
    boolean hasTimestamp;
    boolean hasLocalReceived;
    boolean hasClock;

    int mask;
    final Object[] values = new Object[FIELDS];

    String[] extraKeys = new String[8];
    Object[] extraValues = new Object[8];
    int extraCount;

    /** Parses an event's fields, forgetting the previous event's. */
    void parse(Map<String, Object> fields) {
        hasUuid = false;
        hasHostname = false;
        hasTimestamp = false;
        hasLocalReceived = false;
        hasClock = false;
        uuid = null;
        hostname = null;
        timestamp = null;
        localReceived = null;
        clock = null;
        int m = mask;
        while (m != 0) {
            values[Integer.numberOfTrailingZeros(m)] = null;
            m &= m - 1;
        }
        mask = 0;
        for (int i = 0; i < extraCount; i++) {
            extraKeys[i] = null;
            extraValues[i] = null;
        }
        extraCount = 0;
        fields.forEach(this);
    }

    private void set(int field, Object v) {
        values[field] = v;
        mask |= 1 << field;
    }

    @Override
    public void accept(String k, Object v) {
        switch (k) {
            case "uuid":
                uuid = v;
                hasUuid = true;
                return;
            case "hostname":
                hostname = v;
                hasHostname = true;
                return;
            case "timestamp":
                timestamp = v;
                hasTimestamp = true;
                return;
            case "local_received":
                localReceived = v;
                hasLocalReceived = true;
                return;
            case "clock":
                clock = v;
                hasClock = true;
                return;
            // the rest of the envelope, and what the model sets itself
            case "type": case "utcoffset": case "pid": case "state": case "worker": case "client":
            case "children": case "root": case "parent":
                return;
            case "name":
                set(NAME, v);
                return;
            case "args":
                set(ARGS, v);
                return;
            case "kwargs":
                set(KWARGS, v);
                return;
            case "parent_id":
                set(PARENT_ID, v);
                return;
            case "root_id":
                set(ROOT_ID, v);
                return;
            case "retries":
                set(RETRIES, v);
                return;
            case "eta":
                set(ETA, v);
                return;
            case "expires":
                set(EXPIRES, v);
                return;
            case "result":
                set(RESULT, v);
                return;
            case "exception":
                set(EXCEPTION, v);
                return;
            case "traceback":
                set(TRACEBACK, v);
                return;
            case "exchange":
                set(EXCHANGE, v);
                return;
            case "routing_key":
                set(ROUTING_KEY, v);
                return;
            case "runtime":
                set(RUNTIME, v);
                return;
            case "received":
                set(RECEIVED, v);
                return;
            case "sent":
                set(SENT, v);
                return;
            case "started":
                set(STARTED, v);
                return;
            case "succeeded":
                set(SUCCEEDED, v);
                return;
            case "failed":
                set(FAILED, v);
                return;
            case "retried":
                set(RETRIED, v);
                return;
            case "revoked":
                set(REVOKED, v);
                return;
            case "rejected":
                set(REJECTED, v);
                return;
            default:
                if (extraCount == extraKeys.length) {
                    extraKeys = java.util.Arrays.copyOf(extraKeys, extraCount * 2);
                    extraValues = java.util.Arrays.copyOf(extraValues, extraCount * 2);
                }
                extraKeys[extraCount] = k;
                extraValues[extraCount] = v;
                extraCount++;
        }
    }
}
