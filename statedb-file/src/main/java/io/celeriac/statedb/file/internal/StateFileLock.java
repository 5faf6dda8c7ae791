package io.celeriac.statedb.file.internal;

import io.celeriac.state.StateStoreLockedException;
import io.celeriac.state.UnableToOpenStateStoreException;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The exclusive lock on a state file: an OS lock ({@code FileChannel.tryLock}, {@code fcntl} on Linux) on
 * {@code P.lock}, which records its holder's pid, host, node name and start time so that a refused opener
 * can name it.
 *
 * <p>Within one JVM a registry keyed by the lock file's identity refuses a second opener <em>before</em> it
 * opens the file: on POSIX systems closing any descriptor of a file drops every lock the process holds on
 * it, so a refused same-JVM opener must never open and close the lock file. The lock file is never deleted
 * (deleting it would let two processes lock two different files of one name).
 */
final class StateFileLock implements AutoCloseable {

    private static final Map<Object, String> HELD_IN_THIS_JVM = new ConcurrentHashMap<>();

    private final Object key;
    private final FileChannel channel;
    private final FileLock lock;

    private StateFileLock(Object key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock or throws.
     *
     * @param lockPath {@code P.lock}
     * @param location the state file's path, for messages
     * @param nodeName the worker's node name, recorded for other openers
     */
    static StateFileLock acquire(Path lockPath, String location, String nodeName) {
        try {
            Files.createFile(lockPath);
        } catch (FileAlreadyExistsException e) {
            // normal: left by an earlier holder
        } catch (AccessDeniedException e) {
            throw new UnableToOpenStateStoreException(lockPath.toString(),
                    "no permission to create the lock file in " + lockPath.getParent() + " (the state file, its journal and lock live there)", e);
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(lockPath.toString(), "cannot create the lock file: " + e, e);
        }
        Object key = identity(lockPath);
        String me = describeSelf(nodeName);
        String other = HELD_IN_THIS_JVM.putIfAbsent(key, me);
        if (other != null) {
            throw new StateStoreLockedException(location, "this process: " + other + " (another store in this JVM holds it; close that store first)");
        }
        FileChannel ch = null;
        boolean acquired = false;
        try {
            ch = FileChannel.open(lockPath, StandardOpenOption.READ, StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                throw new StateStoreLockedException(location, readHolder(ch));
            }
            byte[] text = me.getBytes(StandardCharsets.UTF_8);
            // informational: not fsynced, the OS lock is what counts. Written over the old text, then cut to its
            // length: truncate only changes (and journals) the file when the old text was longer
            ch.write(ByteBuffer.wrap(text), 0);
            ch.truncate(text.length);
            acquired = true;
            return new StateFileLock(key, ch, l);
        } catch (AccessDeniedException e) {
            throw new UnableToOpenStateStoreException(lockPath.toString(), "no permission to open the lock file for writing", e);
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(lockPath.toString(), "cannot lock the lock file: " + e, e);
        } finally {
            if (!acquired) {
                if (ch != null) {
                    try {
                        ch.close(); // this process holds no lock on the file, so closing drops nothing
                    } catch (IOException ignored) {
                        // nothing more to do
                    }
                }
                HELD_IN_THIS_JVM.remove(key, me);
            }
        }
    }

    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
        } catch (IOException ignored) {
            // closing the channel releases it anyway
        } finally {
            try {
                channel.close();
            } catch (IOException ignored) {
                // the descriptor is gone either way
            }
            HELD_IN_THIS_JVM.remove(key);
        }
    }

    private static Object identity(Path p) {
        try {
            Object k = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
            if (k != null) {
                return k;
            }
            return p.toRealPath().toString();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize().toString();
        }
    }

    static String describeSelf(String nodeName) {
        return "pid " + ProcessHandle.current().pid() + " on host " + hostName() + " (node " + nodeName + ") since "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private static String readHolder(FileChannel ch) {
        try {
            long size = Math.min(ch.size(), 4096);
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
                // read all
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
            if (text.startsWith("pid ") && text.length() < 1000) {
                return text;
            }
            return "another process (its lock file records no holder)";
        } catch (IOException e) {
            return "another process (its lock file could not be read: " + e.getMessage() + ")";
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
