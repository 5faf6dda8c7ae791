package io.celeriac.worker;

import io.celeriac.worker.internal.Args;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tasks a worker runs, by name: handlers registered in code, {@link CeleryTask} methods of an object, and
 * {@link TaskProvider}s found on a class path. Thread-safe; a name is registered once.
 */
public final class TaskRegistry {

    /** A registered task: its handler and settings. */
    public record Entry(String name, Task task, TaskOptions options) {
        /**
         * @param name the task name
         * @param task the handler
         * @param options the settings
         */
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(task, "task");
            Objects.requireNonNull(options, "options");
        }
    }

    private final Map<String, Entry> tasks = new ConcurrentHashMap<>();

    /** An empty registry. */
    public TaskRegistry() {
    }

    /**
     * A registry with the tasks of every {@link TaskProvider} the class loader finds.
     *
     * @param loader the class loader to search
     * @return the registry
     * @throws IllegalArgumentException when two providers register one name
     */
    public static TaskRegistry discover(ClassLoader loader) {
        TaskRegistry r = new TaskRegistry();
        for (TaskProvider p : ServiceLoader.load(TaskProvider.class, loader)) {
            p.registerTasks(r);
        }
        return r;
    }

    /**
     * Registers a handler with the default settings.
     *
     * @param name the task name Python sends, e.g. {@code proj.add}
     * @param task the handler
     * @return this
     * @throws IllegalArgumentException when the name is blank or already registered
     */
    public TaskRegistry register(String name, Task task) {
        return register(name, task, TaskOptions.defaults());
    }

    /**
     * Registers a handler.
     *
     * @param name the task name
     * @param task the handler
     * @param options its settings
     * @return this
     * @throws IllegalArgumentException when the name is blank or already registered
     */
    public TaskRegistry register(String name, Task task, TaskOptions options) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a task needs a name, e.g. proj.add");
        }
        Entry e = new Entry(name, task, options);
        if (tasks.putIfAbsent(name, e) != null) {
            throw new IllegalArgumentException("the task name '" + name + "' is registered twice");
        }
        return this;
    }

    /**
     * Registers every public method of {@code bean} annotated {@link CeleryTask}.
     *
     * @param bean the object whose methods run the tasks
     * @return the names registered
     * @throws IllegalArgumentException when it has no such method, or a name is taken
     */
    public List<String> registerAll(Object bean) {
        Objects.requireNonNull(bean, "bean");
        List<String> names = new ArrayList<>();
        for (Method m : bean.getClass().getMethods()) {
            CeleryTask a = m.getAnnotation(CeleryTask.class);
            if (a == null) {
                continue;
            }
            if (Modifier.isStatic(m.getModifiers()) && !Modifier.isPublic(m.getModifiers())) {
                continue;
            }
            register(a.name(), Args.invoker(bean, m), Args.options(a));
            names.add(a.name());
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException(bean.getClass().getName() + " has no public @CeleryTask method");
        }
        return names;
    }

    /**
     * Removes a task.
     *
     * @param name the task name
     * @return whether it was registered
     */
    public boolean unregister(String name) {
        return tasks.remove(name) != null;
    }

    /**
     * A task by name.
     *
     * @param name the name
     * @return the entry, if registered
     */
    public Optional<Entry> get(String name) {
        return Optional.ofNullable(tasks.get(name));
    }

    /** @return the registered names, sorted */
    public SortedSet<String> names() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(tasks.keySet()));
    }

    /** @return how many tasks are registered */
    public int size() {
        return tasks.size();
    }

    @Override
    public String toString() {
        return "TaskRegistry" + names();
    }
}
