package io.celeriac.backend;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Objects;

/**
 * A generic type to read a result as, captured from an anonymous subclass (Java erases the type arguments of a
 * {@code Class}): {@code meta.resultAs(new ResultType<List<Long>>() { })}, or
 * {@code new ResultType<Map<String, Progress>>() { }}. See {@link TaskMeta#resultAs(ResultType)} for what can be
 * read as what.
 *
 * <p>Immutable and thread-safe: keep one in a constant.
 *
 * @param <T> the type
 */
public abstract class ResultType<T> {

    private final Type type;

    /**
     * Captures the type argument of the anonymous subclass.
     *
     * @throws IllegalStateException when the subclass gives no type argument
     */
    protected ResultType() {
        Type superclass = getClass().getGenericSuperclass();
        if (!(superclass instanceof ParameterizedType p)) {
            throw new IllegalStateException("create a ResultType with its type argument, as in new ResultType<List<Long>>() { }");
        }
        this.type = p.getActualTypeArguments()[0];
    }

    private ResultType(Type type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /**
     * A result type for a {@link Type} built elsewhere (for example by a framework).
     *
     * @param type the type
     * @param <T> what it reads as; the caller answers for it matching {@code type}
     * @return the result type
     */
    public static <T> ResultType<T> of(Type type) {
        return new ResultType<T>(type) {
        };
    }

    /**
     * The captured type.
     *
     * @return the type, such as {@code java.util.List<java.lang.Long>}
     */
    public Type type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResultType<?> r && r.type.equals(type);
    }

    @Override
    public int hashCode() {
        return type.hashCode();
    }

    @Override
    public String toString() {
        return type.getTypeName();
    }
}
