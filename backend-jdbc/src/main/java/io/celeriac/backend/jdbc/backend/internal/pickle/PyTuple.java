package io.celeriac.backend.jdbc.backend.internal.pickle;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * A Python tuple to write: {@link PickleWriter} writes a {@code List} as a Python list and this as a
 * tuple. Compared by identity, as Python's memo is.
 */
public final class PyTuple {
    private final List<Object> items;

    private PyTuple(List<Object> items) {
        this.items = items;
    }

    /**
     * A tuple of these items.
     *
     * @param items the items, in order
     * @return the tuple
     */
    public static PyTuple of(Object... items) {
        return new PyTuple(Collections.unmodifiableList(Arrays.asList(items.clone())));
    }

    /**
     * A tuple of a list's items.
     *
     * @param items the items, in order
     * @return the tuple
     */
    public static PyTuple ofList(List<?> items) {
        return new PyTuple(Collections.unmodifiableList(Arrays.asList(items.toArray())));
    }

    /** @return the items */
    public List<Object> items() {
        return items;
    }
}
