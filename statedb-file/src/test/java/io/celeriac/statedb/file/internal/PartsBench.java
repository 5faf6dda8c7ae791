package io.celeriac.statedb.file.internal;

import io.celeriac.state.RevokedSet;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

public final class PartsBench {
    public static void main(String[] a) throws Exception {
        RevokedSet set = new RevokedSet(50000, Duration.ofSeconds(10800), Clock.systemUTC());
        for (int i = 0; i < 50000; i++) set.add(UUID.randomUUID().toString());
        Path dir = Files.createTempDirectory("parts");
        Path f = dir.resolve("x"), tmp = dir.resolve("x.tmp");
        for (int r = 0; r < 12; r++) {
            long t0 = System.nanoTime();
            Map<String, Double> m = set.asMap();
            long t1 = System.nanoTime();
            byte[] b = SnapshotCodec.encode(m, 1, 2, 3, 4);
            long t2 = System.nanoTime();
            try (java.io.FileOutputStream out = new java.io.FileOutputStream(tmp.toFile())) { out.write(b); long tw = System.nanoTime(); out.getFD().sync(); System.out.printf("  write %.1f fsync %.1f%n", (tw-t2)/1e6, (System.nanoTime()-tw)/1e6);}
            long t3 = System.nanoTime();
            Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Durable.syncDirectory(dir);
            long t4 = System.nanoTime();
            byte[] rb = Files.readAllBytes(f);
            long t5 = System.nanoTime();
            SnapshotCodec.Decoded d = SnapshotCodec.decode(rb);
            long t6 = System.nanoTime();
            Map<String, Double> sm = d.entries();
            long t7 = System.nanoTime();
            RevokedSet s2 = new RevokedSet(50000, Duration.ofSeconds(10800), Clock.systemUTC());
            s2.restore(sm);
            long t8 = System.nanoTime();
            System.out.printf("asMap %.1f encode %.1f writeFsync %.1f rename+dirsync %.1f read %.1f decode %.1f toMap %.1f restore %.1f%n",
                (t1-t0)/1e6,(t2-t1)/1e6,(t3-t2)/1e6,(t4-t3)/1e6,(t5-t4)/1e6,(t6-t5)/1e6,(t7-t6)/1e6,(t8-t7)/1e6);
        }
    }
}
