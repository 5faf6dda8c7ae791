package io.celeriac.statedb.file.internal;

import io.celeriac.state.CorruptStateException;
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
 * deletion) and are deleted. A torn journal tail is ignored. When journals held anything, or something was
 * kept aside, the recovered state is written as a fresh snapshot at once and the journals are deleted, so
 * that a run always starts from one snapshot and at most one journal.
 *
 * <p>Corruption: in {@code fail} mode the first corrupt file stops the open with
 * {@link CorruptStateException} and nothing is changed or moved. In {@code keep_aside} mode a corrupt
 * snapshot is renamed aside and a corrupt journal copied aside (its valid records before the damage are
 * kept), under names that never replace an existing file. A file that is not a celeriac state file at
 * all (another format) is refused in both modes and never moved.
 */
final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

    /**
     * The recovered state.
     *
     * @param revoked ids to epoch seconds, oldest first
     * @param clock the value a merge adjusts with
     * @param nextGeneration the generation of the journal this run writes
     * @param rewritten whether a fresh snapshot was written at open
     * @param keptAside copies of corrupt files made by this open
     */
    record Result(Map<String, Double> revoked, long clock, long nextGeneration, boolean rewritten, List<Path> keptAside) {
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

        LinkedHashMap<String, Long> entries = new LinkedHashMap<>();
        long clock = 0;
        if (snapshot != null) {
            String[] ids = snapshot.ids();
            long[] micros = snapshot.micros();
            entries = new LinkedHashMap<>(ids.length * 4 / 3 + 1);
            for (int i = 0; i < ids.length; i++) {
                entries.put(ids[i], micros[i]);
            }
            clock = Math.max(snapshot.clock(), snapshot.ceiling());
        }
        long covered = snapshot == null ? 0 : snapshot.nextGeneration();

        List<StatePaths.JournalFile> journals;
        try {
            journals = paths.journals();
        } catch (IOException e) {
            throw new UnableToOpenStateStoreException(paths.directory().toString(), "cannot list the directory: " + e, e);
        }
        List<Path> consumed = new ArrayList<>();
        List<Path> toCopyAside = new ArrayList<>();
        boolean replayedAny = false;
        long maxGeneration = covered - 1;
        for (StatePaths.JournalFile j : journals) {
            maxGeneration = Math.max(maxGeneration, j.generation());
            if (snapshot != null && j.generation() < covered) {
                consumed.add(j.path()); // stale: the snapshot covers it
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
            for (JournalCodec.Record r : scan.records()) {
                if (r instanceof JournalCodec.Add a) {
                    entries.remove(a.id());
                    entries.put(a.id(), a.micros());
                } else if (r instanceof JournalCodec.Discard d) {
                    entries.remove(d.id());
                } else if (r instanceof JournalCodec.Clear) {
                    entries.clear();
                } else if (r instanceof JournalCodec.Clock c) {
                    clock = c.value();
                }
            }
            replayedAny = true;
            consumed.add(j.path());
        }
        long nextGeneration = Math.max(maxGeneration + 1, Math.max(covered, 1));

        List<Path> keptAside = new ArrayList<>();
        boolean rewrite = snapshotCorrupt || replayedAny || !consumed.isEmpty();
        if (rewrite) {
            try {
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
                Map<String, Double> sorted = sortedSeconds(entries);
                byte[] fresh = SnapshotCodec.encode(sorted, clock, clock, nextGeneration, nowMicros());
                Durable.replace(snapshotPath, paths.tmp(), fresh);
                for (Path p : consumed) {
                    Files.deleteIfExists(p);
                }
                Durable.syncDirectory(paths.directory());
                return new Result(sorted, clock, nextGeneration + 0, true, keptAside);
            } catch (AccessDeniedException e) {
                throw new UnableToOpenStateStoreException(e.getFile() == null ? location : e.getFile(),
                        "no permission to write while recovering the state", e);
            } catch (IOException e) {
                throw new UnableToOpenStateStoreException(location, "cannot write the recovered state: " + e, e);
            }
        }
        return new Result(sortedSeconds(entries), clock, nextGeneration, false, keptAside);
    }

    private static String nothingMovedHint(String file) {
        return "Nothing was changed or moved. To keep the damaged file aside (as " + Path.of(file).getFileName()
                + ".corrupt-<time>) and start from what is valid, open the store with on_corrupt=keep_aside";
    }

    private static Map<String, Double> sortedSeconds(LinkedHashMap<String, Long> entries) {
        boolean ordered = true;
        long previous = Long.MIN_VALUE;
        for (long v : entries.values()) {
            if (v < previous) {
                ordered = false;
                break;
            }
            previous = v;
        }
        LinkedHashMap<String, Double> out = new LinkedHashMap<>(entries.size() * 4 / 3 + 1);
        if (ordered) {
            entries.forEach((k, v) -> out.put(k, v / 1e6));
        } else {
            List<Map.Entry<String, Long>> list = new ArrayList<>(entries.entrySet());
            list.sort(Map.Entry.comparingByValue());
            for (Map.Entry<String, Long> e : list) {
                out.put(e.getKey(), e.getValue() / 1e6);
            }
        }
        return out;
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
