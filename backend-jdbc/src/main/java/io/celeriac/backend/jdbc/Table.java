package io.celeriac.backend.jdbc;

import java.util.Objects;

/**
 * A table an area of this module uses: an optional schema and a name, as its settings give them (unquoted).
 *
 * <p>Immutable and thread-safe. {@link #toString()} gives {@code schema.name}, or the name alone.
 *
 * @param schema the schema, or {@code null} for the connection's default
 * @param name the table name
 */
public record Table(String schema, String name) {
    /**
     * Validates.
     *
     * @param schema the schema, or {@code null}
     * @param name the table name
     * @throws NullPointerException when the name is null
     */
    public Table {
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return schema == null ? name : schema + "." + name;
    }
}
