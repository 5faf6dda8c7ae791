package io.celeriac.backend.jdbc.backend.internal.pickle;

import java.util.Objects;

/**
 * A Python global (a class or function) named by module and qualified name, as pickle's
 * {@code STACK_GLOBAL} refers to one.
 *
 * @param module the module, e.g. {@code celery.result}
 * @param name the qualified name, e.g. {@code GroupResult}
 */
public record PyGlobal(String module, String name) {

    /**
     * Validates and interns the names, so that repeated module names are written once, as Python does.
     *
     * @param module the module
     * @param name the qualified name
     * @throws NullPointerException when a name is null
     */
    public PyGlobal {
        module = Objects.requireNonNull(module, "module").intern();
        name = Objects.requireNonNull(name, "name").intern();
    }

    @Override
    public String toString() {
        return module + "." + name;
    }
}
