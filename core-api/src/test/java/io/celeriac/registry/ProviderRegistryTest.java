package io.celeriac.registry;

import io.celeriac.Celeriac;
import io.celeriac.backend.Backend;
import io.celeriac.backend.BackendOptions;
import io.celeriac.backend.TaskState;
import io.celeriac.backend.memory.MemoryBackendProvider;
import io.celeriac.backend.spi.BackendProvider;
import io.celeriac.testing.PluginJars;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderRegistryTest {

    private static final String SPI = BackendProvider.class.getName();
    private static final String CP = System.getProperty("java.class.path");

    @TempDir
    Path dir;

    private URLClassLoader loader(Path... jars) throws Exception {
        URL[] urls = new URL[jars.length];
        for (int i = 0; i < jars.length; i++) {
            urls[i] = jars[i].toUri().toURL();
        }
        return new URLClassLoader(urls, getClass().getClassLoader());
    }

    @Test
    void aProviderJarBuiltInTheTestResolvesThroughAFreshClassLoader() throws Exception {
        Path jar = PluginJars.build(dir, "plugin-a", CP, Map.of("com.example.a.AProvider",
                PluginJars.backendProvider("com.example.a", "AProvider", "\"testjar\", \"testjar+alt\"", "")), Map.of(SPI, "com.example.a.AProvider\n"));
        try (URLClassLoader cl = loader(jar)) {
            Celeriac celeriac = Celeriac.builder().classLoader(cl).build();
            BackendProvider p = celeriac.backends().resolve("testjar+alt+driver://u:pw@h/0");
            assertThat(p.getClass().getName()).isEqualTo("com.example.a.AProvider");
            assertThat(p.getClass().getClassLoader()).isSameAs(cl);
            ProviderInfo info = celeriac.backends().providers().stream()
                    .filter(i -> i.className().equals("com.example.a.AProvider")).findFirst().orElseThrow();
            assertThat(info.source()).isEqualTo(jar.toString());
            assertThat(info.origin()).isEqualTo(ProviderInfo.Origin.DISCOVERED);
            assertThat(celeriac.backends().schemes()).contains("testjar", "testjar+alt", "memory", "cache+memory");
            try (Backend b = celeriac.openBackend("testjar://host/0")) {
                b.storeResult("t", 1L, TaskState.SUCCESS);
                assertThat(b.getResult("t")).isEqualTo(1L);
            }
        }
        assertThatThrownBy(() -> Celeriac.discover().backends().resolve("testjar://h/0"))
                .isInstanceOf(UnknownSchemeException.class);
    }

    @Test
    void twoJarsClaimingOneSchemeAreRejectedNamingBothUnlessOneIsRegistered() throws Exception {
        Path a = PluginJars.build(dir, "dup-a", CP, Map.of("com.example.d1.DupProvider",
                PluginJars.backendProvider("com.example.d1", "DupProvider", "\"dup\"", "")), Map.of(SPI, "com.example.d1.DupProvider"));
        Path b = PluginJars.build(dir, "dup-b", CP, Map.of("com.example.d2.DupProvider",
                PluginJars.backendProvider("com.example.d2", "DupProvider", "\"dup\"", "")), Map.of(SPI, "com.example.d2.DupProvider"));
        try (URLClassLoader cl = loader(a, b)) {
            Celeriac celeriac = Celeriac.builder().classLoader(cl).build();
            assertThatThrownBy(() -> celeriac.openBackend("dup://:hunter2@h/0"))
                    .isInstanceOf(DuplicateSchemeException.class)
                    .hasMessageContaining("com.example.d1.DupProvider").hasMessageContaining(a.toString())
                    .hasMessageContaining("com.example.d2.DupProvider").hasMessageContaining(b.toString())
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
            BackendProvider chosen = (BackendProvider) cl.loadClass("com.example.d2.DupProvider").getConstructor().newInstance();
            Celeriac settled = Celeriac.builder().classLoader(cl).register(chosen).build();
            assertThat(settled.backends().resolve("dup://h/0")).isSameAs(chosen);
        }
    }

    @Test
    void aProviderFailingInItsStaticInitializerIsReportedWithItsJarAndOthersStillLoad() throws Exception {
        Path broken = PluginJars.build(dir, "broken", CP, Map.of("com.example.b.BrokenProvider",
                PluginJars.backendProvider("com.example.b", "BrokenProvider", "\"broken\"",
                        "if (true) throw new IllegalStateException(\"boom in static init\");")),
                Map.of(SPI, "# a comment\ncom.example.b.BrokenProvider\n"));
        Path good = PluginJars.build(dir, "good", CP, Map.of("com.example.g.GoodProvider",
                PluginJars.backendProvider("com.example.g", "GoodProvider", "\"good\"", "")), Map.of(SPI, "com.example.g.GoodProvider"));
        try (URLClassLoader cl = loader(broken, good)) {
            Celeriac celeriac = Celeriac.builder().classLoader(cl).build();
            assertThat(celeriac.backends().failures()).singleElement().satisfies(f -> {
                assertThat(f.className()).isEqualTo("com.example.b.BrokenProvider");
                assertThat(f.source()).isEqualTo(broken.toString());
                assertThat(f.reason()).contains("boom in static init");
            });
            assertThat(celeriac.backends().resolve("good://h").getClass().getName()).isEqualTo("com.example.g.GoodProvider");
            assertThatThrownBy(() -> celeriac.backends().resolve("broken://h"))
                    .isInstanceOf(UnknownSchemeException.class)
                    .hasMessageContaining("com.example.b.BrokenProvider (from " + broken + ")");
        }
    }

    @Test
    void anUnknownSchemeListsWhatIsInstalledWithoutThePassword() {
        Celeriac celeriac = Celeriac.discover();
        assertThatThrownBy(() -> celeriac.openBackend("nosuch://admin:hunter2@host:1/0"))
                .isInstanceOf(UnknownSchemeException.class)
                .hasMessageContaining("'nosuch'")
                .hasMessageContaining("nosuch://admin:**@host:1/0")
                .hasMessageContaining("cache+memory, memory")
                .hasMessageContaining("Add the plugin jar")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    void explicitRegistrationBeatsDiscoveryAndExplicitDuplicatesAreRefused() {
        BackendProvider mine = new BackendProvider() {
            @Override
            public Set<String> schemes() {
                return Set.of("memory");
            }

            @Override
            public Backend open(BackendUrl url, BackendOptions options) {
                throw new UnsupportedOperationException("never opened");
            }
        };
        Celeriac celeriac = Celeriac.builder().register(mine).build();
        assertThat(celeriac.backends().resolve("memory://")).isSameAs(mine);
        assertThat(celeriac.backends().resolve("cache+memory://")).isInstanceOf(MemoryBackendProvider.class);
        assertThat(celeriac.backends().providers().get(0).origin()).isEqualTo(ProviderInfo.Origin.EXPLICIT);
        assertThatThrownBy(() -> Celeriac.builder().register(mine, new MemoryBackendProvider()).build())
                .isInstanceOf(DuplicateSchemeException.class);
        Celeriac noDiscovery = Celeriac.builder().discover(false).build();
        assertThat(noDiscovery.backends().schemes()).isEmpty();
    }

    @Test
    void aFailingProviderIsWrappedWithoutThePassword() {
        BackendProvider failing = new BackendProvider() {
            @Override
            public Set<String> schemes() {
                return Set.of("failing");
            }

            @Override
            public Backend open(BackendUrl url, BackendOptions options) {
                throw new IllegalStateException("driver said: cannot connect to " + url.unmaskedText() + " with " + url.password());
            }
        };
        Celeriac celeriac = Celeriac.builder().register(failing).discover(false).build();
        assertThatThrownBy(() -> celeriac.openBackend("failing://u:hunter2@h/0"))
                .isInstanceOf(io.celeriac.ProviderFailedException.class)
                .hasMessageContaining("failing://u:**@h/0")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }
}
