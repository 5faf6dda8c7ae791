package io.celeriac.backend.jdbc.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Table and schema names in SQL text, written as SQLAlchemy writes them (quoted only when they must be), and
 * the digest that shortens names beyond PostgreSQL's 63 bytes. Shared by the result backend's and the state
 * store's SQL. Stateless and thread-safe.
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
