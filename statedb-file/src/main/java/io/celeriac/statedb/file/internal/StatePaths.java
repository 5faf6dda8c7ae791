package io.celeriac.statedb.file.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The files of one state: the snapshot {@code P}, its lock {@code P.lock}, the temporary file of a sync
 * {@code P.tmp}, the journals {@code P.journal.<generation>} and the copies of corrupt files kept aside,
 * {@code <file>.corrupt-<UTC time>[-n]}. Immutable.
 */
final class StatePaths {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final Path snapshot;
    private final String name;

    StatePaths(Path snapshot) {
        this.snapshot = snapshot.toAbsolutePath().normalize();
        this.name = this.snapshot.getFileName().toString();
    }

    Path snapshot() {
        return snapshot;
    }

    Path directory() {
        return snapshot.getParent();
    }

    Path lock() {
        return snapshot.resolveSibling(name + ".lock");
    }

    Path tmp() {
        return snapshot.resolveSibling(name + ".tmp");
    }

    Path journal(long generation) {
        return snapshot.resolveSibling(name + ".journal." + generation);
    }

    /** A journal file and its generation. */
    record JournalFile(Path path, long generation) {
    }

    /** The journals present, oldest generation first. */
    List<JournalFile> journals() throws IOException {
        List<JournalFile> out = new ArrayList<>();
        String prefix = name + ".journal.";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(directory(), glob(prefix) + "*")) {
            for (Path p : ds) {
                String rest = p.getFileName().toString().substring(prefix.length());
                if (!rest.isEmpty() && rest.length() <= 18 && rest.chars().allMatch(Character::isDigit)) {
                    out.add(new JournalFile(p, Long.parseLong(rest)));
                }
            }
        }
        out.sort(Comparator.comparingLong(JournalFile::generation));
        return out;
    }

    /** A new name to keep {@code bad} aside under: {@code bad.corrupt-<UTC time>}, then {@code -1}, {@code -2}, ... */
    static Path asideName(Path bad, int attempt) {
        String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(STAMP);
        return bad.resolveSibling(bad.getFileName() + ".corrupt-" + stamp + (attempt == 0 ? "" : "-" + attempt));
    }

    /** Moves {@code bad} aside under a new name, never replacing an existing file. */
    static Path moveAside(Path bad) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path target = asideName(bad, attempt);
            try {
                Files.move(bad, target); // no REPLACE_EXISTING: never overwrites
                return target;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10_000) {
                    throw e;
                }
            }
        }
    }

    /** Copies {@code bad} aside under a new name, never replacing an existing file, and fsyncs the copy. */
    static Path copyAside(Path bad) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Path target = asideName(bad, attempt);
            try {
                Files.copy(bad, target); // no REPLACE_EXISTING: never overwrites
                try (java.io.FileOutputStream out = new java.io.FileOutputStream(target.toFile(), true)) {
                    out.getFD().sync();
                }
                return target;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10_000) {
                    throw e;
                }
            }
        }
    }

    private static String glob(String literal) {
        StringBuilder sb = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if ("*?[]{}\\".indexOf(c) >= 0) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return snapshot.toString();
    }
}
