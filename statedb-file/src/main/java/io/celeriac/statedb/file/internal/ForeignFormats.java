package io.celeriac.statedb.file.internal;

import java.nio.charset.StandardCharsets;

/**
 * Recognizes files that are not celeriac state files but are often found where one is expected, above all
 * Python Celery's own {@code --statedb} shelve files, so that the error can say what the file is.
 */
final class ForeignFormats {
    private ForeignFormats() {
    }

    /** What the file seems to be, or {@code null} when it is not recognized. */
    static String describe(byte[] b) {
        if (b.length >= 4) {
            int le = (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
            int be = (b[3] & 0xFF) | (b[2] & 0xFF) << 8 | (b[1] & 0xFF) << 16 | (b[0] & 0xFF) << 24;
            for (int m : new int[] {0x13579ace, 0x13579acd, 0x13579acf, 0x13579ad0, 0x13579ad1}) {
                if (le == m || be == m) {
                    return "a GNU dbm file, as Python Celery's --statedb writes with python3-gdbm";
                }
            }
        }
        if (b.length >= 16) {
            int le = (b[12] & 0xFF) | (b[13] & 0xFF) << 8 | (b[14] & 0xFF) << 16 | (b[15] & 0xFF) << 24;
            int be = (b[15] & 0xFF) | (b[14] & 0xFF) << 8 | (b[13] & 0xFF) << 16 | (b[12] & 0xFF) << 24;
            if (le == 0x061561 || be == 0x061561) {
                return "a Berkeley DB hash file, as Python Celery's --statedb writes through dbm.ndbm";
            }
        }
        if (b.length >= 16 && new String(b, 0, 16, StandardCharsets.ISO_8859_1).equals("SQLite format 3\0")) {
            // Python 3.13's dbm.sqlite3 (shelve's default there): one table Dict(key BLOB UNIQUE NOT NULL, value ...)
            String firstPage = new String(b, 0, Math.min(b.length, 65_536), StandardCharsets.ISO_8859_1);
            if (firstPage.contains("Dict") && firstPage.contains("key BLOB UNIQUE NOT NULL")) {
                return "an SQLite dbm file, as Python Celery's --statedb writes through Python 3.13's dbm.sqlite3 "
                        + "(Celery 5.5 and later on Debian 13)";
            }
            return "an SQLite database";
        }
        if (b.length >= 8 && b[0] == (byte) 0x89 && b[1] == 'C' && b[2] == 'E' && b[3] == 'L' && b[4] == 'J') {
            return "a celeriac journal, not a state file";
        }
        return null;
    }
}
