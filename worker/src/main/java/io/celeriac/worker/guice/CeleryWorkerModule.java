package io.celeriac.worker.guice;

import com.google.inject.AbstractModule;
import com.google.inject.Binding;
import com.google.inject.Injector;
import com.google.inject.Key;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.celeriac.Celeriac;
import io.celeriac.worker.TaskRegistry;
import io.celeriac.worker.Worker;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Binds a singleton {@link Worker} in a Guice injector, built through the injector's {@link Celeriac} (as bound by
 * {@code io.celeriac.guice.CeleriacModule}) or, when none is bound, {@link Celeriac#discover()}, and running the
 * injector's {@link TaskRegistry} when one is bound (so task handlers can be Guice-made objects).
 *
 * <pre>{@code
 * Injector injector = Guice.createInjector(new AbstractModule() {
 *         @Provides @Singleton TaskRegistry tasks(ReportTasks reports) {
 *             TaskRegistry r = new TaskRegistry();
 *             r.registerAll(reports);
 *             return r;
 *         }
 *     },
 *     new CeleryWorkerModule(b -> b.brokerUrl("redis://localhost:6379/0").backendUrl("redis://localhost:6379/1")));
 * Worker worker = injector.getInstance(Worker.class).start();
 * }</pre>
 *
 * <p>The worker is built (not started) when first needed; start and close it with the application. Guice is an
 * optional dependency of this jar.
 */
public final class CeleryWorkerModule extends AbstractModule {

    private final Consumer<Worker.Builder> settings;

    /**
     * A module with the worker's settings.
     *
     * @param settings applied to the builder (URLs, queues, concurrency, tasks...)
     */
    public CeleryWorkerModule(Consumer<Worker.Builder> settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    protected void configure() {
        // the worker is provided below
    }

    @Provides
    @Singleton
    Worker worker(Injector injector) {
        Binding<Celeriac> celeriac = injector.getExistingBinding(Key.get(Celeriac.class));
        Binding<TaskRegistry> tasks = injector.getExistingBinding(Key.get(TaskRegistry.class));
        Worker.Builder b = Worker.builder().celeriac(celeriac == null ? Celeriac.discover()
                : celeriac.getProvider().get());
        if (tasks != null) {
            b.tasks(tasks.getProvider().get());
        }
        settings.accept(b);
        return b.build();
    }
}
