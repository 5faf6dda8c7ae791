package io.celeriac.it;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * celeriac loaded from real jars in a fresh class loader whose parent is the platform class loader, so
 * nothing of the test's own class path leaks in: what a user gets who drops jars on a class path. Driven
 * by reflection, with the thread's context class loader set to the fresh loader.
 */
final class IsolatedCeleriac implements AutoCloseable {

    /** A failure thrown inside the isolated loader, reduced to its class name and message. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String type;

        Failure(Throwable t) {
            super(t.getClass().getName() + ": " + t.getMessage(), t);
            this.type = t.getClass().getName();
        }
    }

    private final URLClassLoader loader;
    private final boolean ownsLoader;
    private final Object celeriac;

    private IsolatedCeleriac(URLClassLoader loader, boolean ownsLoader, List<Object> explicitProviders) throws Exception {
        this.loader = loader;
        this.ownsLoader = ownsLoader;
        celeriac = inLoader(() -> {
            Class<?> c = loader.loadClass("io.celeriac.Celeriac");
            Object builder = c.getMethod("builder").invoke(null);
            Class<?> providerType = loader.loadClass("io.celeriac.spi.Provider");
            Object array = java.lang.reflect.Array.newInstance(providerType, explicitProviders.size());
            for (int i = 0; i < explicitProviders.size(); i++) {
                java.lang.reflect.Array.set(array, i, explicitProviders.get(i));
            }
            builder.getClass().getMethod("register", array.getClass()).invoke(builder, array);
            builder.getClass().getMethod("classLoader", ClassLoader.class).invoke(builder, loader);
            return builder.getClass().getMethod("build").invoke(builder);
        });
    }

    static IsolatedCeleriac of(List<Path> jars) throws Exception {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            urls[i] = jars.get(i).toUri().toURL();
        }
        return new IsolatedCeleriac(new URLClassLoader("isolated-celeriac", urls, ClassLoader.getPlatformClassLoader()), true, List.of());
    }

    /** The isolated class loader, e.g. to instantiate a provider for explicit registration. */
    ClassLoader loader() {
        return loader;
    }

    /** Another celeriac on the same class loader, with explicit providers (objects of that loader). */
    IsolatedCeleriac withExplicit(Object... providers) throws Exception {
        return new IsolatedCeleriac(loader, false, List.of(providers));
    }

    /** Instantiates a class of the isolated loader with its no-argument constructor. */
    Object newInstance(String className) throws Exception {
        return inLoader(() -> loader.loadClass(className).getConstructor().newInstance());
    }

    private Object registry(String spi) throws Exception {
        return inLoader(() -> celeriac.getClass().getMethod(spi).invoke(celeriac));
    }

    /** The schemes one SPI's registry answers: {@code backends}, {@code stateStores}, {@code eventStates}, {@code eventSources}, {@code brokers}. */
    @SuppressWarnings("unchecked")
    SortedSet<String> schemes(String spi) throws Exception {
        Object r = registry(spi);
        return new TreeSet<>((SortedSet<String>) inLoader(() -> r.getClass().getMethod("schemes").invoke(r)));
    }

    /** Resolves a URL in one SPI's registry; returns the provider's class name or throws a {@link Failure}. */
    String resolve(String spi, String url) throws Exception {
        Object r = registry(spi);
        Object provider = inLoader(() -> r.getClass().getMethod("resolve", String.class).invoke(r, url));
        return provider.getClass().getName();
    }

    /** The load failures of one SPI's registry, as {@code className|source|reason}. */
    List<String> failures(String spi) throws Exception {
        Object r = registry(spi);
        List<?> fs = (List<?>) inLoader(() -> r.getClass().getMethod("failures").invoke(r));
        List<String> out = new ArrayList<>();
        for (Object f : fs) {
            Class<?> c = f.getClass();
            out.add(c.getMethod("className").invoke(f) + "|" + c.getMethod("source").invoke(f) + "|" + c.getMethod("reason").invoke(f));
        }
        return out;
    }

    /** Opens a backend, stores a SUCCESS and returns {@code asUri()} and the status read back. */
    String[] openStoreAndRead(String url) throws Exception {
        return (String[]) inLoader(() -> {
            Object backend = celeriac.getClass().getMethod("openBackend", String.class).invoke(celeriac, url);
            try {
                Class<?> state = loader.loadClass("io.celeriac.backend.TaskState");
                Object success = state.getField("SUCCESS").get(null);
                Method store = backend.getClass().getMethod("storeResult", String.class, Object.class, state);
                store.invoke(backend, "matrix-task", 1L, success);
                String uri = (String) backend.getClass().getMethod("asUri").invoke(backend);
                Object status = backend.getClass().getMethod("getStatus", String.class).invoke(backend, "matrix-task");
                return new String[]{uri, String.valueOf(status)};
            } finally {
                backend.getClass().getMethod("close").invoke(backend);
            }
        });
    }

    /** Runs {@code body} with the isolated loader as context loader, unwrapping reflection failures. */
    Object inLoader(Callable<Object> body) throws Exception {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            return body.call();
        } catch (InvocationTargetException e) {
            throw new Failure(e.getCause());
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    @Override
    public void close() throws IOException {
        if (ownsLoader) {
            loader.close();
        }
    }
}
