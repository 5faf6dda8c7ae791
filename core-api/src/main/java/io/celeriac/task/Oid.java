package io.celeriac.task;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * kombu's object ids ({@code kombu.common.generate_oid}): a name-based UUID, version 3, in the ISO OID namespace,
 * of {@code "<node>-<pid>-<thread>-<instance>"} in hexadecimal. Celery names a client's {@code rpc://} reply queue
 * and its pidbox reply queue with one. Thread-safe.
 */
public final class Oid {

    /** RFC 4122's name space for ISO OIDs, {@code 6ba7b812-9dad-11d1-80b4-00c04fd430c8}. */
    public static final UUID NAMESPACE_OID = UUID.fromString("6ba7b812-9dad-11d1-80b4-00c04fd430c8");

    private Oid() {
    }

    /**
     * The object id kombu would derive from these numbers.
     *
     * @param nodeId the node (kombu: {@code uuid.getnode()}, the MAC address)
     * @param processId the process id
     * @param threadId the thread id
     * @param instanceId the object's identity
     * @return the id, lower-case text
     */
    public static String generate(long nodeId, long processId, long threadId, long instanceId) {
        String ent = Long.toHexString(nodeId) + "-" + Long.toHexString(processId) + "-" + Long.toHexString(threadId)
                + "-" + Long.toHexString(instanceId);
        return uuid3(NAMESPACE_OID, ent).toString();
    }

    /**
     * Python's {@code uuid.uuid3(namespace, name)}: MD5 of the namespace's 16 bytes then the name's UTF-8 bytes.
     *
     * @param namespace the namespace
     * @param name the name
     * @return the UUID
     */
    public static UUID uuid3(UUID namespace, String name) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(ByteBuffer.allocate(16).putLong(namespace.getMostSignificantBits())
                    .putLong(namespace.getLeastSignificantBits()).array());
            byte[] h = md5.digest(name.getBytes(StandardCharsets.UTF_8));
            h[6] = (byte) ((h[6] & 0x0f) | 0x30);
            h[8] = (byte) ((h[8] & 0x3f) | 0x80);
            ByteBuffer b = ByteBuffer.wrap(h);
            return new UUID(b.getLong(), b.getLong());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
