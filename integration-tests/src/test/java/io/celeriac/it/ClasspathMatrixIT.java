package io.celeriac.it;

import io.celeriac.testing.PluginJars;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.reflect.Array;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The drop-a-jar promise, on real class paths built from the module jars (not the reactor's test class
 * path), each loaded in a fresh class loader: core-api with one plugin resolves exactly that plugin's
 * schemes; with every plugin, every scheme; two jars claiming one scheme are named in a typed error until
 * an explicit registration settles it; a plugin failing in its static initializer is reported with its
 * jar while the others load; and the same through the Guice module.
 */
class ClasspathMatrixIT {

    /** What each plugin jar provides, by registry: {@code backends}, {@code stateStores}, {@code eventStates}, {@code eventSources}, {@code brokers}. */
    private static final Map<String, Map<String, Set<String>>> PLUGINS = new LinkedHashMap<>();
    /** What core-api provides on its own. */
    private static final Map<String, Set<String>> CORE = Map.of("backends", Set.of("memory", "cache+memory"),
            "stateStores", Set.of("memory"), "brokers", Set.of("memory"));
    private static final List<String> SPIS = List.of("backends", "stateStores", "eventStates", "eventSources", "brokers");

    static {
        PLUGINS.put("backend-disabled", Map.of("backends", Set.of("disabled")));
        PLUGINS.put("backend-redis", Map.of("backends", Set.of("redis", "rediss", "socket", "sentinel"),
                "stateStores", Set.of("redis", "rediss", "socket", "sentinel"),
                "eventSources", Set.of("redis", "rediss", "socket", "sentinel"),
                "brokers", Set.of("redis", "rediss", "socket", "sentinel")));
        PLUGINS.put("statedb-file", Map.of("stateStores", Set.of("file")));
        Set<String> jdbc = Set.of("db+postgresql", "database+postgresql", "db+sqlite", "database+sqlite", "jdbc:postgresql",
                "jdbc:sqlite");
        PLUGINS.put("backend-jdbc", Map.of("backends", jdbc, "stateStores", jdbc));
        Set<String> amqp = Set.of("amqp", "amqps", "pyamqp", "librabbitmq");
        PLUGINS.put("backend-amqp", Map.of("backends", Set.of("rpc"), "brokers", amqp, "eventSources", amqp));
    }

    private static Path coreApi;
    private static List<Path> libraries;
    private static final Map<String, Path> pluginJars = new LinkedHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void findJars() throws Exception {
        coreApi = jar("core-api");
        try (Stream<Path> libs = Files.list(Path.of(System.getProperty("celeriac.it.lib")))) {
            libraries = libs.filter(p -> p.toString().endsWith(".jar")).sorted().collect(Collectors.toList());
        }
        assertThat(libraries).as("third-party jars").anyMatch(p -> p.getFileName().toString().startsWith("jackson-core"));
        for (String module : PLUGINS.keySet()) {
            pluginJars.put(module, jar(module));
        }
    }

    private static Path jar(String module) {
        String p = System.getProperty("celeriac.jar." + module);
        assertThat(p).as("the build passes the path of %s's jar", module).isNotBlank();
        Path path = Path.of(p);
        assertThat(path).as("%s's jar", module).isRegularFile();
        assertThat(path.getFileName().toString()).endsWith(".jar");
        return path;
    }

    private static List<Path> classPath(Path... plugins) {
        List<Path> cp = new ArrayList<>();
        cp.add(coreApi);
        cp.addAll(List.of(plugins));
        cp.addAll(libraries);
        return cp;
    }

    private static Set<String> expected(String spi, List<String> modules) {
        Set<String> out = new TreeSet<>(CORE.getOrDefault(spi, Set.of()));
        for (String m : modules) {
            out.addAll(PLUGINS.get(m).getOrDefault(spi, Set.of()));
        }
        return out;
    }

    @Test
    void coreApiAloneResolvesOnlyItsOwnSchemes() throws Exception {
        try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath())) {
            for (String spi : SPIS) {
                assertThat(c.schemes(spi)).as(spi).isEqualTo(expected(spi, List.of()));
            }
            assertThat(c.openStoreAndRead("memory://matrix")).containsExactly("memory://matrix/", "SUCCESS");
        }
    }

    @Test
    void eachPluginAloneResolvesExactlyItsSchemes() throws Exception {
        for (Map.Entry<String, Path> plugin : pluginJars.entrySet()) {
            String module = plugin.getKey();
            try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath(plugin.getValue()))) {
                for (String spi : SPIS) {
                    assertThat(c.schemes(spi)).as("%s with %s", spi, module).isEqualTo(expected(spi, List.of(module)));
                    for (String scheme : PLUGINS.get(module).getOrDefault(spi, Set.of())) {
                        assertThat(c.resolve(spi, scheme + "://h/0")).as("%s %s", spi, scheme).startsWith("io.celeriac.");
                    }
                }
                for (Map.Entry<String, Map<String, Set<String>>> other : PLUGINS.entrySet()) {
                    if (other.getKey().equals(module)) {
                        continue;
                    }
                    for (Map.Entry<String, Set<String>> e : other.getValue().entrySet()) {
                        for (String scheme : e.getValue()) {
                            assertThatThrownBy(() -> c.resolve(e.getKey(), scheme + "://user:hunter2@h/0"))
                                    .as("%s is not installed with %s alone", scheme, module)
                                    .isInstanceOfSatisfying(IsolatedCeleriac.Failure.class, f -> {
                                        assertThat(f.type).isEqualTo("io.celeriac.registry.UnknownSchemeException");
                                        assertThat(f.getMessage()).contains(String.join(", ", expected(e.getKey(), List.of(module))))
                                                .doesNotContain("hunter2");
                                    });
                        }
                    }
                }
            }
        }
        // a scheme of a plugin that is not installed at all lists every installed scheme
        try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath(pluginJars.get("backend-disabled")))) {
            assertThatThrownBy(() -> c.resolve("backends", "redis://:hunter2@localhost:6379/0"))
                    .isInstanceOfSatisfying(IsolatedCeleriac.Failure.class, f -> assertThat(f.getMessage())
                            .contains("Unknown backend scheme 'redis'").contains("cache+memory, disabled, memory")
                            .contains("redis://:**@localhost:6379/0").doesNotContain("hunter2"));
            assertThat(c.openStoreAndRead("memory://")).containsExactly("memory://", "SUCCESS");
        }
    }

    @Test
    void everyPluginTogetherResolvesEveryScheme() throws Exception {
        try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath(pluginJars.values().toArray(new Path[0])))) {
            List<String> all = new ArrayList<>(PLUGINS.keySet());
            for (String spi : SPIS) {
                assertThat(c.schemes(spi)).as(spi).isEqualTo(expected(spi, all));
                for (String scheme : expected(spi, all)) {
                    assertThat(c.resolve(spi, scheme + "://h/0")).startsWith("io.celeriac.");
                }
                assertThat(c.failures(spi)).isEmpty();
            }
        }
    }

    private Path providerJar(String name, String pkg, String cls, String scheme, String staticInit) throws Exception {
        String cp = coreApi + File.pathSeparator + libraries.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
        return PluginJars.build(dir, name, cp, Map.of(pkg + "." + cls, PluginJars.backendProvider(pkg, cls, "\"" + scheme + "\"", staticInit)),
                Map.of("io.celeriac.backend.spi.BackendProvider", pkg + "." + cls + "\n"));
    }

    @Test
    void twoJarsProvidingOneSchemeAreNamedUntilAnExplicitRegistrationSettlesIt() throws Exception {
        Path a = providerJar("vendor-a", "com.vendor.a", "DupProvider", "dup", "");
        Path b = providerJar("vendor-b", "com.vendor.b", "DupProvider", "dup", "");
        try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath(a, pluginJars.get("backend-disabled"), b))) {
            assertThatThrownBy(() -> c.resolve("backends", "dup://:hunter2@h/0"))
                    .isInstanceOfSatisfying(IsolatedCeleriac.Failure.class, f -> {
                        assertThat(f.type).isEqualTo("io.celeriac.registry.DuplicateSchemeException");
                        assertThat(f.getMessage()).contains("com.vendor.a.DupProvider (from " + a + ")")
                                .contains("com.vendor.b.DupProvider (from " + b + ")").doesNotContain("hunter2");
                    });
            assertThat(c.resolve("backends", "disabled://")).isEqualTo("io.celeriac.backend.disabled.DisabledBackendProvider");
            try (IsolatedCeleriac settled = c.withExplicit(c.newInstance("com.vendor.b.DupProvider"))) {
                assertThat(settled.resolve("backends", "dup://h/0")).isEqualTo("com.vendor.b.DupProvider");
            }
        }
    }

    @Test
    void aProviderFailingInItsStaticInitializerIsReportedWithItsJarAndOthersStillLoad() throws Exception {
        Path broken = providerJar("vendor-broken", "com.vendor.broken", "BrokenProvider", "broken",
                "if (true) throw new IllegalStateException(\"license server unreachable\");");
        try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath(broken, pluginJars.get("backend-disabled")))) {
            assertThat(c.failures("backends")).singleElement().satisfies(f -> assertThat(f)
                    .startsWith("com.vendor.broken.BrokenProvider|" + broken + "|").contains("license server unreachable"));
            assertThat(c.schemes("backends")).isEqualTo(expected("backends", List.of("backend-disabled")));
            assertThatThrownBy(() -> c.resolve("backends", "broken://h"))
                    .isInstanceOfSatisfying(IsolatedCeleriac.Failure.class, f -> assertThat(f.getMessage())
                            .contains("1 provider failed to load").contains("com.vendor.broken.BrokenProvider (from " + broken + ")"));
        }
    }

    @Test
    void theGuiceModuleBindsFromTheSameJarsAndItsMultibinderSettlesDuplicates() throws Exception {
        assertThat(libraries).as("Guice on the class path").anyMatch(p -> p.getFileName().toString().startsWith("guice-"));
        Path a = providerJar("guice-vendor-a", "com.vendor.ga", "DupProvider", "dup", "");
        Path b = providerJar("guice-vendor-b", "com.vendor.gb", "DupProvider", "dup", "");
        try (IsolatedCeleriac c = IsolatedCeleriac.of(classPath(a, b, pluginJars.get("backend-disabled")))) {
            ClassLoader l = c.loader();
            Object uri = c.inLoader(() -> {
                Object injector = createInjector(l, "disabled://", null);
                Object backend = l.loadClass("com.google.inject.Injector").getMethod("getInstance", Class.class)
                        .invoke(injector, l.loadClass("io.celeriac.backend.Backend"));
                try {
                    return l.loadClass("io.celeriac.backend.Backend").getMethod("asUri").invoke(backend);
                } finally {
                    l.loadClass("io.celeriac.backend.Backend").getMethod("close").invoke(backend);
                }
            });
            assertThat(uri).isEqualTo("disabled://");
            assertThatThrownBy(() -> c.inLoader(() -> {
                Object injector = createInjector(l, "dup://h/0", null);
                return l.loadClass("com.google.inject.Injector").getMethod("getInstance", Class.class).invoke(injector, l.loadClass("io.celeriac.backend.Backend"));
            })).isInstanceOfSatisfying(IsolatedCeleriac.Failure.class, f -> {
                assertThat(f.type).isEqualTo("com.google.inject.ProvisionException");
                Throwable root = f.getCause().getCause();
                assertThat(root.getClass().getName()).isEqualTo("io.celeriac.registry.DuplicateSchemeException");
                assertThat(root.getMessage()).contains("com.vendor.ga.DupProvider (from " + a + ")")
                        .contains("com.vendor.gb.DupProvider (from " + b + ")");
            });
            Object chosen = c.newInstance("com.vendor.gb.DupProvider");
            Object settled = c.inLoader(() -> {
                Object injector = createInjector(l, "dup://h/0", chosen);
                Object celeriac = l.loadClass("com.google.inject.Injector").getMethod("getInstance", Class.class).invoke(injector, l.loadClass("io.celeriac.Celeriac"));
                Object registry = celeriac.getClass().getMethod("backends").invoke(celeriac);
                return registry.getClass().getMethod("resolve", String.class).invoke(registry, "dup://h/0");
            });
            assertThat(settled).isSameAs(chosen);
        }
    }

    /** Guice.createInjector(CeleriacModule.builder().backend(url).build(), [a module binding {@code extra} in the multibinder]). */
    private static Object createInjector(ClassLoader l, String backendUrl, Object extra) throws Exception {
        Class<?> moduleType = l.loadClass("com.google.inject.Module");
        Class<?> cm = l.loadClass("io.celeriac.guice.CeleriacModule");
        Object builder = cm.getMethod("builder").invoke(null);
        builder = builder.getClass().getMethod("backend", String.class).invoke(builder, backendUrl);
        Object celeriacModule = builder.getClass().getMethod("build").invoke(builder);
        List<Object> modules = new ArrayList<>(List.of(celeriacModule));
        if (extra != null) {
            modules.add(Proxy.newProxyInstance(l, new Class<?>[]{moduleType}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "configure": {
                        Object mb = cm.getMethod("providers", l.loadClass("com.google.inject.Binder")).invoke(null, args[0]);
                        Object lbb = l.loadClass("com.google.inject.multibindings.Multibinder").getMethod("addBinding").invoke(mb);
                        l.loadClass("com.google.inject.binder.LinkedBindingBuilder").getMethod("toInstance", Object.class).invoke(lbb, extra);
                        return null;
                    }
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return "extra-providers-module";
                }
            }));
        }
        Object array = Array.newInstance(moduleType, modules.size());
        for (int i = 0; i < modules.size(); i++) {
            Array.set(array, i, modules.get(i));
        }
        return l.loadClass("com.google.inject.Guice").getMethod("createInjector", array.getClass()).invoke(null, array);
    }
}
