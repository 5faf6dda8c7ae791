package io.celeriac.state;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The storage of {@link RevokedSet}: an insertion-ordered map of task ids to wall-clock epoch microseconds,
 * held in parallel primitive arrays so that loading 50,000 ids allocates a handful of arrays instead of a
 * map node, a boxed timestamp and a key object per id.
 *
 * <p>An id is given as its {@link TaskIdKeys} parts: a canonical UUID id as its two 64-bit halves with a
 * {@code null} string, any other id as the string (halves 0). Entries live in slots in the order they were
 * appended; removing one leaves a dead slot, skipped by iteration and reclaimed when the arrays are compacted
 * (when the last slot is used). An open-addressing index (linear probing, at most half full) maps ids to
 * slots; string ids are hashed with a per-process random seed so that crafted ids cannot make them collide.
 * Not thread-safe: {@link RevokedSet} guards it with its monitor.
 */
final class RevokedTable {

    /** The string slot value of a removed entry (compared by identity). */
    private static final String DEAD = new String("<removed>");
    private static final int SEED = ThreadLocalRandom.current().nextInt() | 1;

    private long[] msb;
    private long[] lsb;
    private String[] str;
    private long[] micros;
    /** Slot + 1 per index position; 0 when free. Its length is a power of two at least twice the slots. */
    private int[] index;
    private int head;
    private int tail;
    private int size;

    RevokedTable(int expected) {
        allocate(Math.max(8, expected));
    }

    private void allocate(int slots) {
        msb = new long[slots];
        lsb = new long[slots];
        str = new String[slots];
        micros = new long[slots];
        index = new int[indexLength(slots)];
        head = 0;
        tail = 0;
        size = 0;
    }

    private static int indexLength(int slots) {
        return Integer.highestOneBit(Math.max(4, slots) - 1) << 2;
    }

    int size() {
        return size;
    }

    /** Removes every entry and gives back the memory of a large table. */
    void clear() {
        allocate(8);
    }

    /** Makes room for {@code n} more entries without reallocating (called before a bulk load). */
    void ensureRoom(int n) {
        if (tail + n > micros.length) {
            reallocate(Math.max(micros.length, size + n));
        }
    }

    private int hash(long hi, long lo, String s) {
        long h;
        if (s == null) {
            h = (hi * 0x9E3779B97F4A7C15L) ^ lo;
        } else {
            int x = SEED;
            for (int i = 0; i < s.length(); i++) {
                x = (x ^ s.charAt(i)) * 0x01000193;
            }
            h = x * 0x9E3779B97F4A7C15L ^ s.length();
        }
        h *= 0xC2B2AE3D27D4EB4FL;
        return (int) (h >>> 32);
    }

    private boolean matches(int slot, long hi, long lo, String s) {
        String t = str[slot];
        if (s == null) {
            return t == null && msb[slot] == hi && lsb[slot] == lo;
        }
        return t != DEAD && s.equals(t);
    }

    /**
     * The slot of an id.
     *
     * @return the slot, or -1 when absent
     */
    int find(long hi, long lo, String s) {
        int mask = index.length - 1;
        for (int i = hash(hi, lo, s) & mask; ; i = (i + 1) & mask) {
            int v = index[i];
            if (v == 0) {
                return -1;
            }
            if (matches(v - 1, hi, lo, s)) {
                return v - 1;
            }
        }
    }

    long micros(int slot) {
        return micros[slot];
    }

    /** The id in a live slot. */
    String id(int slot) {
        String s = str[slot];
        return s != null ? s : new java.util.UUID(msb[slot], lsb[slot]).toString();
    }

    /** Appends an id that is absent (the caller has checked with {@link #find}). */
    void append(long hi, long lo, String s, long ts) {
        makeRoom();
        insertIndex(store(hi, lo, s, ts), hash(hi, lo, s));
    }

    /**
     * Appends an id unless present, with one probe of the index (for bulk loads).
     *
     * @return -1 when appended, else the slot of the id already present (left unchanged)
     */
    int appendIfAbsent(long hi, long lo, String s, long ts) {
        makeRoom();
        int mask = index.length - 1;
        int i = hash(hi, lo, s) & mask;
        for (int v = index[i]; v != 0; v = index[i]) {
            if (matches(v - 1, hi, lo, s)) {
                return v - 1;
            }
            i = (i + 1) & mask;
        }
        index[i] = store(hi, lo, s, ts) + 1;
        return -1;
    }

    private void makeRoom() {
        if (tail == micros.length) {
            // compact in place when at most 3/4 of the slots are live, else grow
            reallocate(size <= micros.length / 4 * 3 ? micros.length : micros.length * 2);
        }
    }

    private int store(long hi, long lo, String s, long ts) {
        int slot = tail++;
        msb[slot] = hi;
        lsb[slot] = lo;
        str[slot] = s;
        micros[slot] = ts;
        size++;
        return slot;
    }

    private void insertIndex(int slot, int h) {
        int mask = index.length - 1;
        int i = h & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = slot + 1;
    }

    /** Removes the entry in a live slot. */
    void remove(int slot) {
        int mask = index.length - 1;
        int i = hash(msb[slot], lsb[slot], str[slot]) & mask;
        while (index[i] != slot + 1) {
            i = (i + 1) & mask;
        }
        // backward-shift deletion: move later entries of the probe run into the hole
        int hole = i;
        for (int j = (hole + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
            int s = index[j] - 1;
            int home = hash(msb[s], lsb[s], str[s]) & mask;
            if (((j - home) & mask) >= ((j - hole) & mask)) {
                index[hole] = index[j];
                hole = j;
            }
        }
        index[hole] = 0;
        str[slot] = DEAD;
        size--;
        if (size == 0) {
            head = 0;
            tail = 0;
        } else if (slot == head) {
            head = next(slot);
        }
    }

    /**
     * The oldest live slot (first appended).
     *
     * @return the slot, or -1 when empty
     */
    int first() {
        return size == 0 ? -1 : head;
    }

    /**
     * The live slot after one.
     *
     * @return the slot, or -1 after the last
     */
    int next(int slot) {
        for (int s = slot + 1; s < tail; s++) {
            if (str[s] != DEAD) {
                return s;
            }
        }
        return -1;
    }

    /** Moves the live entries to new arrays of {@code slots} slots (at least the size), in order. */
    private void reallocate(int slots) {
        long[] oldMsb = msb;
        long[] oldLsb = lsb;
        String[] oldStr = str;
        long[] oldMicros = micros;
        int from = head;
        int to = tail;
        int live = size;
        if (slots != micros.length) {
            msb = new long[slots];
            lsb = new long[slots];
            str = new String[slots];
            micros = new long[slots];
            index = new int[indexLength(slots)];
        } else {
            Arrays.fill(index, 0);
        }
        int n = 0;
        for (int s = live == 0 ? to : from; s < to; s++) {
            if (oldStr[s] != DEAD) {
                msb[n] = oldMsb[s];
                lsb[n] = oldLsb[s];
                str[n] = oldStr[s];
                micros[n] = oldMicros[s];
                n++;
            }
        }
        Arrays.fill(str, n, Math.max(n, Math.min(to, str.length)), null);
        head = 0;
        tail = n;
        size = n;
        for (int s = 0; s < n; s++) {
            insertIndex(s, hash(msb[s], lsb[s], str[s]));
        }
    }

    /**
     * Reorders the entries by timestamp, stably (equal timestamps keep their order).
     *
     * @return the newest timestamp, or {@link Long#MIN_VALUE} when empty
     */
    long sortByMicros() {
        int n = size;
        int[] order = new int[n];
        int k = 0;
        for (int s = first(); s >= 0; s = next(s)) {
            order[k++] = s;
        }
        int[] tmp = new int[n];
        for (int width = 1; width < n; width *= 2) { // bottom-up merge sort: stable
            for (int lo = 0; lo < n; lo += 2 * width) {
                int mid = Math.min(lo + width, n);
                int hi = Math.min(lo + 2 * width, n);
                int a = lo;
                int b = mid;
                int o = lo;
                while (a < mid && b < hi) {
                    tmp[o++] = micros[order[b]] < micros[order[a]] ? order[b++] : order[a++];
                }
                while (a < mid) {
                    tmp[o++] = order[a++];
                }
                while (b < hi) {
                    tmp[o++] = order[b++];
                }
            }
            int[] t = order;
            order = tmp;
            tmp = t;
        }
        long[] newMsb = new long[micros.length];
        long[] newLsb = new long[micros.length];
        String[] newStr = new String[micros.length];
        long[] newMicros = new long[micros.length];
        for (int i = 0; i < n; i++) {
            int s = order[i];
            newMsb[i] = msb[s];
            newLsb[i] = lsb[s];
            newStr[i] = str[s];
            newMicros[i] = micros[s];
        }
        msb = newMsb;
        lsb = newLsb;
        str = newStr;
        micros = newMicros;
        Arrays.fill(index, 0);
        head = 0;
        tail = n;
        for (int s = 0; s < n; s++) {
            insertIndex(s, hash(msb[s], lsb[s], str[s]));
        }
        return n == 0 ? Long.MIN_VALUE : micros[n - 1];
    }

    /** The entries in order, as an immutable {@link RevokedEntries}. */
    RevokedEntries toEntries() {
        int n = size;
        long[] hi = new long[n];
        long[] lo = new long[n];
        String[] s = new String[n];
        long[] ts = new long[n];
        if (n == tail - head) { // no dead slot in between: plain copies
            System.arraycopy(msb, head, hi, 0, n);
            System.arraycopy(lsb, head, lo, 0, n);
            System.arraycopy(str, head, s, 0, n);
            System.arraycopy(micros, head, ts, 0, n);
        } else {
            int k = 0;
            for (int slot = first(); slot >= 0; slot = next(slot)) {
                hi[k] = msb[slot];
                lo[k] = lsb[slot];
                s[k] = str[slot];
                ts[k] = micros[slot];
                k++;
            }
        }
        return RevokedEntries.wrap(hi, lo, s, ts);
    }
}
