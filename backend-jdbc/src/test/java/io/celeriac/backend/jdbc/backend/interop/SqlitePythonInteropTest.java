package io.celeriac.backend.jdbc.backend.interop;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * Interop with Python Celery on SQLite files: one file whose tables Python creates, one whose tables
 * celeriac creates (in WAL mode, which Python's sqlite3 then uses too).
 */
@ParameterizedClass(name = "{0}")
@MethodSource("io.celeriac.testing.CeleryVersion#matrix")
class SqlitePythonInteropTest extends AbstractPythonInteropTest {

    @TempDir
    static Path dbDir;

    @Override
    String pythonFirstUrl() {
        return "db+sqlite:///" + dbDir.resolve("python-first.sqlite").toAbsolutePath();
    }

    @Override
    String javaFirstUrl() {
        return "db+sqlite:///" + dbDir.resolve("java-first.sqlite").toAbsolutePath();
    }

    @Override
    String writerZone(io.celeriac.testing.CeleryVersion version, String appZone) {
        return version == io.celeriac.testing.CeleryVersion.V5_2 ? "UTC" : appZone;
    }

    @Override
    String expectedMemberUrl() {
        return "sqlite:///" + dbDir.resolve("java-first.sqlite").toAbsolutePath();
    }
}
