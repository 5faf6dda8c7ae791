package io.celeriac.backend.jdbc.internal;

import io.celeriac.spi.SettingsReader;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Table and schema names: checked when read from a setting, written in SQL text as SQLAlchemy writes them
 * (quoted only when they must be), and the digest that shortens names beyond PostgreSQL's 63 bytes. Shared by
 * the result backend and the state store. Stateless and thread-safe.
 */
public final class SqlNames {

    private static final Pattern PLAIN = Pattern.compile("[a-z_][a-z0-9_$]*");
    private static final Set<String> RESERVED = Set.of("all", "analyse", "analyze", "and", "any", "array", "as", "asc",
            "asymmetric", "both", "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
            "current_date", "current_role", "current_time", "current_timestamp", "current_user", "default",
            "deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for", "foreign", "from",
            "grant", "group", "having", "in", "index", "initially", "intersect", "into", "key", "lateral", "leading",
            "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order", "placing",
            "primary", "references", "returning", "select", "session_user", "some", "symmetric", "table", "then",
            "to", "trailing", "true", "union", "unique", "user", "using", "values", "variadic", "when", "where",
            "window", "with");

    private SqlNames() {
    }

    /**
     * Checks a table or schema name given in a setting with the settings reader's identifier rule (a letter or
     * {@code _}, then letters, digits or {@code _}, at most 63), and two differences that keep what these
     * settings have always accepted and refused: a {@code $} after the first character is accepted, as
     * PostgreSQL and Celery (SQLAlchemy) accept it in a plain name, and a {@code .} is refused, since a schema
     * has its own setting. Blanks around the name are ignored.
     *
     * @param reader the reader that collects the problems
     * @param setting the setting the name came from
     * @param value the name as written
     * @return the name without surrounding blanks, or {@code null} when it was refused (a problem was added)
     */
    public static String checkName(SettingsReader reader, String setting, String value) {
        String v = value.strip();
        if (v.indexOf('.') >= 0) {
            reader.problem(setting + " must be one name without '.' (a schema has its own setting), not '" + value + "'");
            return null;
        }
        String withoutDollars = v.isEmpty() ? v : v.charAt(0) + v.substring(1).replace('$', '_');
        if (!withoutDollars.equals(v) && new SettingsReader(Map.of()).checkIdentifier(setting, withoutDollars)) {
            return v;
        }
        return reader.checkIdentifier(setting, v) ? v : null;
    }

    /**
     * An identifier as SQLAlchemy writes it: quoted only when it is not a plain lower-case, unreserved word.
     *
     * @param identifier the name
     * @return the name as SQL text
     */
    public static String quote(String identifier) {
        if (PLAIN.matcher(identifier).matches() && !RESERVED.contains(identifier)) {
            return identifier;
        }
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * A table name qualified by its schema, each part quoted as {@link #quote(String)} does.
     *
     * @param schema the schema, or {@code null} for the connection's default
     * @param name the table name
     * @return the name as SQL text
     */
    public static String qualified(String schema, String name) {
        return schema == null ? quote(name) : quote(schema) + "." + quote(name);
    }

    /**
     * The SHA-256 digest of a text's UTF-8 bytes.
     *
     * @param s the text
     * @return the digest as 64 lower-case hex digits
     */
    public static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
