package io.celeriac.worker;

/**
 * Contributes tasks to a worker from a jar: implementations are listed in
 * {@code META-INF/services/io.celeriac.worker.TaskProvider}, found with {@link java.util.ServiceLoader} by
 * {@link TaskRegistry#discover(ClassLoader)} (which {@code celeriac worker --tasks app.jar} uses). A provider needs a
 * public no-argument constructor.
 *
 * <pre>{@code
 * public final class MyTasks implements TaskProvider {
 *     public void registerTasks(TaskRegistry registry) {
 *         registry.register("proj.add", ctx -> ctx.arg(0, Long.class) + ctx.arg(1, Long.class));
 *         registry.registerAll(new ReportTasks());   // its @CeleryTask methods
 *     }
 * }
 * }</pre>
 */
public interface TaskProvider {

    /**
     * Registers this provider's tasks.
     *
     * @param registry the worker's registry
     */
    void registerTasks(TaskRegistry registry);
}
