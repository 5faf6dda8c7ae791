package io.celeriac.testing;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Debian roots holding newer Python Celery, built once per machine with {@code debootstrap --variant=minbase} into
 * {@code ~/.cache/celeriac/celery-roots/<suite>-<hash>} (the hash covers the suite, the script and the package
 * list, so a changed list builds a new root and the old one is removed), reused by later runs.
 *
 * <p>Building is safe when several JVMs ask at once: a file lock per suite serializes them, and the second finds
 * the first's root. A build goes to a {@code .building} folder and is renamed into place only after
 * {@code import celery} printed the expected version inside it, so a failed or killed build never leaves a root
 * that a later run takes for a good one (leftover {@code .building} folders are removed under the lock).
 *
 * <p>Programs run in a root through {@link #launcher()}: a private mount namespace ({@code unshare -m}) binds the
 * machine's {@code /tmp} (and the working folders) at the same paths inside the root, mounts {@code /proc} and
 * {@code /dev}, then {@code chroot}s; the mounts vanish with the process, so none is ever left behind, even when a
 * test or the JVM is killed. Loopback networking is shared, so the peer talks to the same servers as the tests.
 */
public final class CeleryRoots {
    private static final Logger LOG = LoggerFactory.getLogger(CeleryRoots.class);

    /** The packages every root holds. */
    public static final List<String> PACKAGES = List.of("python3-celery", "python3-redis", "python3-sqlalchemy",
            "python3-psycopg2", "python3-amqp");
    private static final String MARKER = ".celeriac-root-ok";
    private static final Map<CeleryVersion, Object> KNOWN = new EnumMap<>(CeleryVersion.class);
    private static Path launcher;

    private CeleryRoots() {
    }

    /**
     * The folder roots are kept in: {@code CELERIAC_CACHE_DIR} or {@code ~/.cache/celeriac}, then
     * {@code celery-roots}.
     *
     * @return the folder
     */
    public static Path cacheDir() {
        String env = System.getenv("CELERIAC_CACHE_DIR");
        Path base = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "celeriac");
        return base.resolve("celery-roots");
    }

    /**
     * The root of a version, built first when missing.
     *
     * @param version a chrooted version
     * @return the root folder
     * @throws RootUnavailableException when it cannot be built (no debootstrap, not root, no archive reachable)
     */
    public static synchronized Path root(CeleryVersion version) {
        if (!version.isChrooted()) {
            throw new IllegalArgumentException(version + " runs on the machine's own Python, not in a root");
        }
        Object known = KNOWN.get(version);
        if (known instanceof Path p) {
            return p;
        }
        if (known instanceof RootUnavailableException e) {
            throw e;
        }
        try {
            Path p = buildOrFind(version);
            KNOWN.put(version, p);
            return p;
        } catch (RootUnavailableException e) {
            KNOWN.put(version, e);
            throw e;
        }
    }

    private static Path buildOrFind(CeleryVersion v) {
        Path dir = cacheDir();
        Path target = dir.resolve(v.suite() + "-" + hash(v));
        if (Files.isRegularFile(target.resolve(MARKER))) {
            return target;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new RootUnavailableException(v, "building a Debian " + v.suite() + " root needs root (debootstrap, "
                    + "chroot and mount do)");
        }
        if (!Files.isExecutable(Path.of("/usr/sbin/debootstrap"))) {
            throw new RootUnavailableException(v, "debootstrap is not installed (apt-get install -y debootstrap)");
        }
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(dir.resolve(v.suite() + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
                if (Files.isRegularFile(target.resolve(MARKER))) {
                    return target; // another JVM built it while this one waited
                }
                removeOthers(dir, v, target);
                Path building = dir.resolve(target.getFileName() + ".building");
                Path log = dir.resolve(v.suite() + "-build.log");
                long t0 = System.nanoTime();
                LOG.info("building a Debian {} root with Python {} for the interop tests into {} (about a minute, "
                        + "300 MB; log: {})", v.suite(), v, target, log);
                List<String> cmd = new ArrayList<>(List.of("/usr/sbin/debootstrap", "--variant=minbase",
                        "--include=" + String.join(",", PACKAGES), v.suite(), building.toString(), mirror()));
                if (!v.suite().equals(v.debootstrapScript())) {
                    cmd.add("/usr/share/debootstrap/scripts/" + v.debootstrapScript());
                }
                int rc = exec(cmd, log, 20);
                if (rc != 0) {
                    delete(building);
                    throw new RootUnavailableException(v, "debootstrap of Debian " + v.suite() + " failed (exit " + rc
                            + "); see " + log);
                }
                String version = versionIn(building, log);
                if (!v.expectedVersion().equals(version)) {
                    LOG.warn("the Debian {} root holds Celery {}, not the expected {}", v.suite(), version,
                            v.expectedVersion());
                }
                Files.writeString(building.resolve(MARKER), version + "\n", StandardCharsets.UTF_8);
                Files.move(building, target, StandardCopyOption.ATOMIC_MOVE);
                LOG.info("built the Debian {} root (Celery {}) in {} s", v.suite(), version,
                        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
                return target;
            }
        } catch (IOException e) {
            throw new RootUnavailableException(v, "cannot build the root: " + e.getMessage());
        }
    }

    private static String versionIn(Path root, Path log) throws IOException {
        Path out = Files.createTempFile("celeriac-root-version", ".txt");
        try {
            int rc = exec(List.of("/usr/sbin/chroot", root.toString(), "/usr/bin/python3", "-c",
                    "import celery, kombu, redis, sqlalchemy, psycopg2, amqp; print(celery.__version__)"), out, 1);
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            Files.writeString(log, "\n--- check ---\n" + text + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND, StandardOpenOption.CREATE);
            if (rc != 0) {
                delete(root);
                throw new IOException("Python Celery does not import inside the new root: " + text);
            }
            String[] lines = text.split("\n");
            return lines[lines.length - 1].strip();
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void removeOthers(Path dir, CeleryVersion v, Path keep) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (Files.isDirectory(p) && n.startsWith(v.suite() + "-") && !p.equals(keep)) {
                    LOG.info("removing an old or half-built root {}", p);
                    delete(p);
                }
            }
        }
    }

    private static void delete(Path p) throws IOException {
        exec(List.of("/bin/rm", "-rf", "--one-file-system", p.toString()), null, 5);
    }

    private static int exec(List<String> cmd, Path log, int minutes) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        if (log != null) {
            pb.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        } else {
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        }
        Process p = pb.start();
        try {
            if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                p.waitFor(30, TimeUnit.SECONDS);
                return -1;
            }
            return p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String mirror() {
        String m = System.getenv("CELERIAC_DEBIAN_MIRROR");
        return m == null || m.isBlank() ? "http://deb.debian.org/debian" : m;
    }

    private static String hash(CeleryVersion v) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            String key = v.suite() + " " + v.debootstrapScript() + " " + String.join(",", PACKAGES);
            return HexFormat.of().formatHex(d.digest(key.getBytes(StandardCharsets.UTF_8))).substring(0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The shell script that enters a root: {@code unshare -m --propagation private /bin/sh <launcher> ROOT WORKDIR
     * MOUNT1:MOUNT2:... PROGRAM ARGS...}. It binds each listed host folder at the same path inside the root,
     * mounts {@code /proc} and {@code /dev}, changes to WORKDIR and runs PROGRAM in the same process (so stopping the
     * pid stops the program).
     *
     * @return the script's path
     */
    public static synchronized Path launcher() {
        if (launcher != null) {
            return launcher;
        }
        String script = String.join("\n",
                "#!/bin/sh",
                "# enters a celeriac Celery root in a private mount namespace; the mounts vanish with the process",
                "root=\"$1\"; wd=\"$2\"; mounts=\"$3\"; shift 3",
                "IFS=:",
                "for m in $mounts; do",
                "  [ -d \"$m\" ] || continue",
                "  mkdir -p \"$root$m\" && mount --bind \"$m\" \"$root$m\" || exit 97",
                "done",
                "unset IFS",
                "mount -t proc proc \"$root/proc\" || exit 97",
                "mount --rbind /dev \"$root/dev\" || exit 97",
                "exec /usr/sbin/chroot \"$root\" /bin/sh -c 'cd \"$0\" 2>/dev/null || cd /; exec \"$@\"' \"$wd\" \"$@\"",
                "");
        try {
            Path dir = cacheDir();
            Files.createDirectories(dir);
            Path f = Files.createTempFile(dir, "enter-root", ".sh");
            Files.writeString(f, script, StandardCharsets.UTF_8);
            f.toFile().deleteOnExit();
            launcher = f;
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Raised when a version's root cannot be built or found; the message names the suite and the reason.
     */
    public static final class RootUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RootUnavailableException(CeleryVersion v, String reason) {
            super(v + " (Debian " + v.suite() + ") is not available: " + reason);
        }
    }
}
