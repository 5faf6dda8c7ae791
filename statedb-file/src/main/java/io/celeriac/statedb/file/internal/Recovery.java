package io.celeriac.statedb.file.internal;

import io.celeriac.state.CorruptStateException;
import io.celeriac.state.RevokedEntries;
import io.celeriac.state.UnableToOpenStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a state at open: the snapshot, then every journal of a generation the snapshot does not cover, in
 * order. Journals of older generations are stale (a crash came between a snapshot's rename and their
 * deletion) and are deleted. A torn journal tail is ignored. When more than {@value #MAX_JOURNALS_KEPT}
 * journals or {@value #MAX_JOURNAL_BYTES_KEPT} journal bytes were replayed, or something was kept aside, the
 * recovered state is written as a fresh snapshot at once and those journals are deleted; otherwise they stay
 * (the new run writes a journal of a higher generation) until the next sync.
 *
 * <p>Corruption: in {@code fail} mode the first corrupt file stops the open with
 * {@link CorruptStateException} and nothing is changed or moved. In {@code keep_aside} mode a corrupt
 * snapshot is renamed aside and a corrupt journal copied aside (its valid records before the damage are
 * kept), under names that never replace an existing file. A file that is not a celeriac state file at
 * all (another format) is refused in both modes and never moved.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);
    /** More journals than this left by earlier runs are folded into a fresh snapshot at open. */
    static final int MAX_JOURNALS_KEPT = 4;
    /** More journal bytes than this left by earlier runs are folded into a fresh snapshot at open. */
    static final long MAX_JOURNAL_BYTES_KEPT = 1L << 20;

    /**
     * The recovered state.
     *
     * @param revoked ids to epoch seconds, oldest first
     * @param clock the value a merge adjusts with
     * @param nextGeneration the generation of the journal this run writes
     * @param rewritten whether a fresh snapshot was written at open
     * @param keptAside copies of corrupt files made by this open
     */
    record Result(RevokedEntries revoked, long clock, long nextGeneration, boolean rewritten, List<Path> keptAside) {
    }

    private Recovery() {
    }

    static Result run(StatePaths paths, boolean keepAside) {
        Path snapshotPath = paths.snapshot();
        String location = snapshotPath.toString();
        deleteQuietly(paths.tmp());

        SnapshotCodec.Decoded snapshot = null;
        boolean snapshotCorrupt = false;
        byte[] bytes = read(snapshotPath);
        if (bytes != null) {
            if (!SnapshotCodec.hasMagic(bytes)) {
                boolean cutShort = bytes.length < 8 && Arrays.equals(bytes, 0, bytes.length, SnapshotCodec.MAGIC, 0, bytes.length);
                if (!cutShort) {
                    String what = ForeignFormats.describe(bytes);
                    throw new CorruptStateException(location, "it is not a celeriac state file"
                            + (what == null ? " (it does not start with the celeriac magic bytes)" : ": it looks like " + what)
                            + ". celeriac reads only its own format and never moves or overwrites a file it does not recognize;"
                            + " choose another path, or move the file away if it is no longer needed.");
                }
                if (!keepAside) {
                    throw new CorruptStateException(location, "the file is " + bytes.length + " bytes long, cut short before its header. "
                            + nothingMovedHint(location));
                }
                snapshotCorrupt = true;
            } else {
                try {
                    snapshot = SnapshotCodec.decode(bytes);
                } catch (FormatException e) {
                    if (!keepAside) {
                        throw new CorruptStateException(location, e.getMessage() + ". " + nothingMovedHint(location));
                    }
                    snapshotCorrupt = true;
                    LOG.warn("The worker state file {} is corrupt ({}); keeping it aside and starting from what is valid", location, e.getMessage());
                }
            }
        }

        long clock = snapshot == null ? 0 : Math.max(snapshot.clock(), snapshot.ceiling());
        long covered = snapshot == null ? 0 : snapshot.nextGeneration();

        List<StatePaths.JournalFile> journals;
        try {
            journals = paths.journals();
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(paths.directory().toString(), "cannot list the directory: " + e, e);
        }
        List<Path> stale = new ArrayList<>();
        List<Path> replayed = new ArrayList<>();
        List<Path> toCopyAside = new ArrayList<>();
        List<JournalCodec.Record> records = new ArrayList<>();
        long replayedBytes = 0;
        long maxGeneration = covered - 1;
        for (StatePaths.JournalFile j : journals) {
            maxGeneration = Math.max(maxGeneration, j.generation());
            if (snapshot != null && j.generation() < covered) {
                stale.add(j.path()); // the snapshot covers it: a crash came before its deletion
                continue;
            }
            byte[] jb = read(j.path());
            if (jb == null) {
                continue;
            }
            JournalCodec.Scan scan = JournalCodec.scan(jb, j.generation());
            if (scan.corruption() != null) {
                if (!keepAside) {
                    throw new CorruptStateException(j.path().toString(), "the journal is damaged: " + scan.corruption()
                            + " (" + scan.records().size() + " valid records before it). " + nothingMovedHint(j.path().toString()));
                }
                LOG.warn("The journal {} is damaged ({}); keeping a copy aside and using its {} valid records", j.path(),
                        scan.corruption(), scan.records().size());
                toCopyAside.add(j.path());
            } else if (scan.tornBytes() > 0) {
                LOG.info("Ignoring the torn tail of {} ({} bytes at offset {}): a write a crash interrupted, never acknowledged",
                        j.path(), scan.tornBytes(), scan.validEnd());
            }
            records.addAll(scan.records());
            replayed.add(j.path());
            replayedBytes += jb.length;
        }
        long nextGeneration = Math.max(maxGeneration + 1, Math.max(covered, 1));

        RevokedEntries entries = snapshot == null ? RevokedEntries.empty() : snapshot.entries();
        if (!records.isEmpty()) {
            LinkedHashMap<String, Long> m = new LinkedHashMap<>((entries.size() + records.size()) * 4 / 3 + 1);
            for (int i = 0; i < entries.size(); i++) {
                m.put(entries.id(i), entries.micros(i));
            }
            for (JournalCodec.Record r : records) {
                if (r instanceof JournalCodec.Add a) {
                    m.remove(a.id());
                    m.put(a.id(), a.micros());
                } else if (r instanceof JournalCodec.Discard d) {
                    m.remove(d.id());
                } else if (r instanceof JournalCodec.Clear) {
                    m.clear();
                } else if (r instanceof JournalCodec.Clock c) {
                    clock = c.value();
                }
            }
            entries = sorted(m);
        }

        boolean rewrite = snapshotCorrupt || !toCopyAside.isEmpty() || replayed.size() > MAX_JOURNALS_KEPT
                || replayedBytes > MAX_JOURNAL_BYTES_KEPT;
        try {
            List<Path> keptAside = new ArrayList<>();
            if (rewrite) {
                if (snapshotCorrupt) {
                    Path aside = StatePaths.moveAside(snapshotPath);
                    keptAside.add(aside);
                    LOG.warn("Kept the corrupt worker state file {} aside as {}", snapshotPath, aside);
                }
                for (Path bad : toCopyAside) {
                    Path aside = StatePaths.copyAside(bad);
                    keptAside.add(aside);
                    LOG.warn("Kept a copy of the damaged journal {} aside as {}", bad, aside);
                }
                if (!keptAside.isEmpty()) {
                    Durable.syncDirectory(paths.directory());
                }
                byte[] fresh = SnapshotCodec.encode(entries, clock, clock, nextGeneration, nowMicros());
                Durable.replace(snapshotPath, paths.tmp(), fresh);
                stale.addAll(replayed);
            }
            for (Path p : stale) {
                Files.deleteIfExists(p);
            }
            if (!stale.isEmpty()) {
                Durable.syncDirectory(paths.directory());
            }
            return new Result(entries, clock, nextGeneration, rewrite, keptAside);
        } catch (AccessDeniedException e) {
            throw new UnableToOpenStateStoreException(e.getFile() == null ? location : e.getFile(),
                    "no permission to write while recovering the state", e);
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(location, "cannot write the recovered state: " + e, e);
        }
    }

    /**
     * What a read-only look at a state finds.
     *
     * @param revoked the ids, oldest first
     * @param clock the value a merge would adjust with
     * @param writtenAtMicros when the snapshot was written (epoch microseconds), or -1 without one
     * @param journals the journals replayed, oldest first
     * @param tornBytes bytes of torn journal tails ignored
     */
    record Inspection(RevokedEntries revoked, long clock, long writtenAtMicros, List<Path> journals, long tornBytes) {
    }

    /**
     * Reads a state without locking, writing, deleting or moving anything: the snapshot and the journals it
     * does not cover. Corruption is reported as {@link CorruptStateException} (never kept aside).
     */
    static Inspection inspect(StatePaths paths) {
        Path snapshotPath = paths.snapshot();
        String location = snapshotPath.toString();
        SnapshotCodec.Decoded snapshot = null;
        byte[] bytes = read(snapshotPath);
        if (bytes != null) {
            if (!SnapshotCodec.hasMagic(bytes)) {
                String what = ForeignFormats.describe(bytes);
                throw new CorruptStateException(location, "it is not a celeriac state file"
                        + (what == null ? " (it does not start with the celeriac magic bytes)" : ": it looks like " + what));
            }
            try {
                snapshot = SnapshotCodec.decode(bytes);
            } catch (FormatException e) {
                throw new CorruptStateException(location, e.getMessage());
            }
        }
        long clock = snapshot == null ? 0 : Math.max(snapshot.clock(), snapshot.ceiling());
        long covered = snapshot == null ? 0 : snapshot.nextGeneration();
        List<StatePaths.JournalFile> journals;
        try {
            journals = paths.journals();
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(paths.directory().toString(), "cannot list the directory: " + e, e);
        }
        List<Path> replayed = new ArrayList<>();
        List<JournalCodec.Record> records = new ArrayList<>();
        long torn = 0;
        for (StatePaths.JournalFile j : journals) {
            if (snapshot != null && j.generation() < covered) {
                continue;
            }
            byte[] jb = read(j.path());
            if (jb == null) {
                continue; // deleted by a live store meanwhile
            }
            JournalCodec.Scan scan = JournalCodec.scan(jb, j.generation());
            if (scan.corruption() != null) {
                throw new CorruptStateException(j.path().toString(), "the journal is damaged: " + scan.corruption());
            }
            torn += scan.tornBytes();
            records.addAll(scan.records());
            replayed.add(j.path());
        }
        RevokedEntries entries = snapshot == null ? RevokedEntries.empty() : snapshot.entries();
        if (!records.isEmpty()) {
            LinkedHashMap<String, Long> m = new LinkedHashMap<>((entries.size() + records.size()) * 4 / 3 + 1);
            for (int i = 0; i < entries.size(); i++) {
                m.put(entries.id(i), entries.micros(i));
            }
            for (JournalCodec.Record r : records) {
                if (r instanceof JournalCodec.Add a) {
                    m.remove(a.id());
                    m.put(a.id(), a.micros());
                } else if (r instanceof JournalCodec.Discard d) {
                    m.remove(d.id());
                } else if (r instanceof JournalCodec.Clear) {
                    m.clear();
                } else if (r instanceof JournalCodec.Clock c) {
                    clock = c.value();
                }
            }
            entries = sorted(m);
        }
        return new Inspection(entries, clock, snapshot == null ? -1 : snapshot.writtenAtMicros(), replayed, torn);
    }

    private static String nothingMovedHint(String file) {
        return "Nothing was changed or moved. To keep the damaged file aside (as " + Path.of(file).getFileName()
                + ".corrupt-<time>) and start from what is valid, open the store with on_corrupt=keep_aside";
    }

    private static RevokedEntries sorted(LinkedHashMap<String, Long> m) {
        String[] ids = new String[m.size()];
        long[] micros = new long[ids.length];
        int i = 0;
        boolean ordered = true;
        for (Map.Entry<String, Long> e : m.entrySet()) {
            ids[i] = e.getKey();
            micros[i] = e.getValue();
            if (i > 0 && micros[i] < micros[i - 1]) {
                ordered = false;
            }
            i++;
        }
        Integer[] order = new Integer[ids.length];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        if (!ordered) {
            Arrays.sort(order, (a, b) -> Long.compare(micros[a], micros[b])); // stable
        }
        RevokedEntries.Builder out = RevokedEntries.builder(ids.length);
        for (Integer k : order) {
            out.add(ids[k], micros[k]);
        }
        return out.buildDistinct();
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        } catch (AccessDeniedException e) {
            throw new UnableToOpenStateStoreException(p.toString(), "no permission to read the file", e);
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(p.toString(), "cannot read the file: " + e, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.debug("Could not delete the leftover {}: {}", p, e.toString());
        }
    }

    static long nowMicros() {
        java.time.Instant i = java.time.Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
