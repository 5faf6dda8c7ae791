package io.celeriac.it;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.celeriac.Celeriac;
import io.celeriac.CeleriacException;
import io.celeriac.registry.ProviderInfo;
import io.celeriac.registry.ProviderRegistry;
import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The house rules of DESIGN.md, checked on the compiled jars of every module in the reactor:
 * <ul>
 *   <li>the one shape: every provider the registry discovers lives in a public (non-{@code internal}) package,
 *       and its {@code open} calls {@code XConfig.parse} of a {@code ...Config} in its own package and
 *       constructs the live instance from that package's {@code internal} sub-package;</li>
 *   <li>no plugin depends on another plugin;</li>
 *   <li>every plugin jar names its Java module ({@code Automatic-Module-Name});</li>
 *   <li>no SPI signature names a Guice type;</li>
 *   <li>every exception of a public package descends from {@link CeleriacException} (the one root), except
 *       {@code UnsupportedCapabilityException} and {@code DisabledBackendException}, which are
 *       {@link UnsupportedOperationException}s as Java users expect of an opt-out, and the two checked signals of
 *       {@code GroupCommitQueue}, which the plugin code that uses the queue must translate; exceptions private to
 *       an {@code internal} package never leave it.</li>
 * </ul>
 */
class ArchitectureIT {

    /** The packages of each plugin module; none may reach into another's. */
    private static final List<String> PLUGIN_PACKAGES = List.of(
            "io.celeriac.backend.redis..",
            "io.celeriac.backend.jdbc..",
            "io.celeriac.backend.amqp..",
            "io.celeriac.backend.disabled..",
            "io.celeriac.statedb.file..",
            "io.celeriac.events.state..",
            "io.celeriac.events.snapshot..");

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.celeriac");
    }

    private static List<ProviderInfo> discoveredProviders() {
        Celeriac celeriac = Celeriac.discover();
        List<ProviderInfo> all = new ArrayList<>();
        Stream.of(celeriac.backends(), celeriac.stateStores(), celeriac.eventStates(), celeriac.eventSources(),
                        celeriac.brokers())
                .map(ProviderRegistry::providers)
                .forEach(all::addAll);
        return all;
    }

    @Test
    void everyDiscoveredProviderFollowsTheOneShape() {
        List<ProviderInfo> providers = discoveredProviders();
        // every plugin module of the reactor is on this class path: the walk must see each of them
        Set<String> packages = new TreeSet<>();
        providers.forEach(p -> packages.add(p.provider().getClass().getPackageName()));
        assertThat(packages).as("packages of the discovered providers").hasSizeGreaterThanOrEqualTo(8);

        List<String> violations = new ArrayList<>();
        for (ProviderInfo info : providers) {
            JavaClass provider = classes.get(info.provider().getClass());
            violations.addAll(shapeViolations(provider));
        }
        assertThat(violations).as("providers that break the rule open(url, options) = "
                + "new internal.X(XConfig.parse(url, options))").isEmpty();
    }

    @Test
    void everyProviderClassInTheCodeIsOneTheRegistryCanFind() {
        Set<String> discovered = new TreeSet<>();
        discoveredProviders().forEach(p -> discovered.add(p.className()));
        Set<String> declared = new TreeSet<>();
        for (JavaClass c : classes) {
            if (c.isAssignableTo(Provider.class) && !c.isInterface()
                    && !c.getModifiers().contains(JavaModifier.ABSTRACT) && c.getModifiers().contains(JavaModifier.PUBLIC)) {
                declared.add(c.getName());
            }
        }
        assertThat(discovered).as("providers listed in META-INF/services").containsAll(declared);
    }

    private static List<String> shapeViolations(JavaClass provider) {
        List<String> out = new ArrayList<>();
        String pkg = provider.getPackageName();
        if (pkg.contains(".internal")) {
            out.add(provider.getName() + " lives in an internal package");
        }
        List<JavaMethod> opens = provider.getMethods().stream()
                .filter(m -> m.getName().equals("open") && !m.getModifiers().contains(JavaModifier.BRIDGE)
                        && !m.getModifiers().contains(JavaModifier.SYNTHETIC)
                        && !m.getModifiers().contains(JavaModifier.STATIC)
                        && m.getRawParameterTypes().size() == 2
                        && m.getRawParameterTypes().get(0).isEquivalentTo(BackendUrl.class))
                .toList();
        if (opens.isEmpty()) {
            out.add(provider.getName() + " has no open(BackendUrl, options) method");
        }
        for (JavaMethod open : opens) {
            boolean parsesConfig = open.getMethodCallsFromSelf().stream().anyMatch(call ->
                    call.getName().equals("parse")
                            && call.getTargetOwner().getSimpleName().endsWith("Config")
                            && call.getTargetOwner().getPackageName().equals(pkg));
            if (!parsesConfig) {
                out.add(provider.getName() + ".open does not call a ...Config.parse of package " + pkg);
            }
            boolean constructsInternal = open.getConstructorCallsFromSelf().stream().anyMatch(call ->
                    call.getTargetOwner().getPackageName().equals(pkg + ".internal")
                            && call.getTargetOwner().isAssignableTo(open.getRawReturnType().getName()));
            if (!constructsInternal) {
                out.add(provider.getName() + ".open does not construct its " + open.getRawReturnType().getSimpleName()
                        + " from " + pkg + ".internal");
            }
        }
        return out;
    }

    @Test
    void noPluginDependsOnAnotherPlugin() {
        for (String own : PLUGIN_PACKAGES) {
            String[] others = PLUGIN_PACKAGES.stream().filter(p -> !p.equals(own)).toArray(String[]::new);
            noClasses().that().resideInAPackage(own)
                    .should().dependOnClassesThat().resideInAnyPackage(others)
                    .because("a plugin is a jar that depends on core-api only (DESIGN.md)")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void everyPluginJarNamesItsModule() throws Exception {
        List<String> jars = System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("celeriac.jar.")).sorted().toList();
        assertThat(jars).as("jars handed to the test by the build").hasSizeGreaterThanOrEqualTo(5);
        for (String key : jars) {
            try (JarFile jar = new JarFile(System.getProperty(key))) {
                String name = jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
                assertThat(name).as("Automatic-Module-Name of " + key).isNotBlank().startsWith("io.celeriac.")
                        .doesNotContain("-");
            }
        }
    }

    @Test
    void noSpiNamesAGuiceType() {
        noClasses().that().resideInAPackage("io.celeriac..spi..")
                .should().dependOnClassesThat().resideInAPackage("com.google.inject..")
                .check(classes);
    }

    @Test
    void everyExceptionDescendsFromTheOneRoot() {
        classes().that().areAssignableTo(Throwable.class)
                .and().doNotHaveFullyQualifiedName("io.celeriac.UnsupportedCapabilityException")
                .and().doNotHaveFullyQualifiedName("io.celeriac.backend.disabled.DisabledBackendException")
                // checked on purpose: a plugin's own queue code must translate them; they never reach a user
                .and().doNotHaveFullyQualifiedName("io.celeriac.spi.GroupCommitQueue$ClosedException")
                .and().doNotHaveFullyQualifiedName("io.celeriac.spi.GroupCommitQueue$FlushFailedException")
                .and().resideOutsideOfPackages("..internal..",
                        "io.celeriac.testing..", "io.celeriac.benchmarks..", "io.celeriac.cli..")
                .should().beAssignableTo(CeleriacException.class)
                .because("CeleriacException is the one root of celeriac's exceptions (DESIGN.md)")
                .check(classes);
    }
}
