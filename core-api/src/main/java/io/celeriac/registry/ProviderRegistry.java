package io.celeriac.registry;

import io.celeriac.spi.Provider;
import io.celeriac.url.BackendUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The providers of one SPI, by scheme: explicit registrations and those found with
 * {@link ServiceLoader}.
 *
 * <p>Discovery searches the given class loader (by default the thread's context class loader) and then
 * the library's own, as {@code FileSystems.newFileSystem} does. A provider listed in a services file that
 * fails to load (a static initializer that throws, a missing class) is recorded in {@link #failures()} with
 * the jar that listed it and logged; the others still load. One log line names each registered provider,
 * its schemes and its jar.
 *
 * <p>Resolution: a URL's scheme is looked up as written, then with its last {@code +} part removed, and
 * so on ({@code db+postgresql+psycopg2}, then {@code db+postgresql}, then {@code db}); a plain scheme that no
 * provider answers is then tried with Celery's {@code db+} prefix, so that what a database backend's
 * {@code asUri()} prints ({@code postgresql://...}, as Celery's {@code as_uri}) opens that backend again. An explicit
 * registration beats discovery; two discovered providers for one scheme raise
 * {@link DuplicateSchemeException} (naming both classes and jars) unless an explicit one settles it; no
 * provider raises {@link UnknownSchemeException} listing what is installed. Immutable and thread-safe.
 *
 * @param <P> the provider type
 */
public final class ProviderRegistry<P extends Provider> {

    private static final Logger LOG = LoggerFactory.getLogger(ProviderRegistry.class);
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.\\-]*(:[a-z][a-z0-9+.\\-]*)?");
    private static final int MAX_LISTED = 10_000;
    /** Celery's database alias, which {@code as_uri()} leaves out. */
    private static final String DB_ALIAS = "db+";

    private final Class<P> spi;
    private final String kind;
    private final List<ProviderInfo> providers;
    private final List<ProviderLoadFailure> failures;
    private final Map<String, List<ProviderInfo>> explicit;
    private final Map<String, List<ProviderInfo>> discovered;

    private ProviderRegistry(Class<P> spi, String kind, List<ProviderInfo> providers, List<ProviderLoadFailure> failures) {
        this.spi = spi;
        this.kind = kind;
        this.providers = List.copyOf(providers);
        this.failures = List.copyOf(failures);
        Map<String, List<ProviderInfo>> ex = new LinkedHashMap<>();
        Map<String, List<ProviderInfo>> di = new LinkedHashMap<>();
        for (ProviderInfo p : providers) {
            Map<String, List<ProviderInfo>> target = p.origin() == ProviderInfo.Origin.EXPLICIT ? ex : di;
            for (String s : p.schemes()) {
                target.computeIfAbsent(s, k -> new ArrayList<>()).add(p);
            }
        }
        for (Map.Entry<String, List<ProviderInfo>> e : ex.entrySet()) {
            if (e.getValue().size() > 1) {
                throw new DuplicateSchemeException(kind, e.getKey(), e.getValue());
            }
        }
        this.explicit = ex;
        this.discovered = di;
    }

    /**
     * Builds a registry.
     *
     * @param spi the provider interface
     * @param kind what the providers make, for messages (e.g. {@code backend})
     * @param explicitProviders providers registered explicitly; they beat discovered ones
     * @param discover whether to search the class path with {@link ServiceLoader}
     * @param loader the class loader to search first, or {@code null} for the thread's context class loader
     * @param <P> the provider type
     * @return the registry
     * @throws DuplicateSchemeException when two explicit providers claim one scheme
     */
    public static <P extends Provider> ProviderRegistry<P> build(Class<P> spi, String kind, List<? extends P> explicitProviders,
                                                               boolean discover, ClassLoader loader) {
        Objects.requireNonNull(spi, "spi");
        List<ProviderInfo> infos = new ArrayList<>();
        List<ProviderLoadFailure> failures = new ArrayList<>();
        for (P p : explicitProviders) {
            Objects.requireNonNull(p, "provider");
            Set<String> schemes = validSchemes(p, failures, sourceOf(p.getClass(), Map.of()));
            if (schemes != null) {
                ProviderInfo info = new ProviderInfo(schemes, p.getClass().getName(), sourceOf(p.getClass(), Map.of()),
                        ProviderInfo.Origin.EXPLICIT, p);
                infos.add(info);
                LOG.info("Registered {} provider {} for schemes {} from {} (explicit)", kind, info.className(),
                        new TreeSet<>(schemes), info.source());
            }
        }
        if (discover) {
            List<ClassLoader> loaders = new ArrayList<>();
            ClassLoader first = loader != null ? loader : Thread.currentThread().getContextClassLoader();
            if (first != null) {
                loaders.add(first);
            }
            ClassLoader own = ProviderRegistry.class.getClassLoader();
            if (own != null && !loaders.contains(own)) {
                loaders.add(own);
            }
            Set<Class<?>> seen = new HashSet<>();
            for (P p : explicitProviders) {
                seen.add(p.getClass());
            }
            Set<String> failedNames = new HashSet<>();
            for (ClassLoader cl : loaders) {
                discoverWith(spi, kind, cl, seen, failedNames, infos, failures);
            }
        }
        return new ProviderRegistry<>(spi, kind, infos, failures);
    }

    private static <P extends Provider> void discoverWith(Class<P> spi, String kind, ClassLoader cl, Set<Class<?>> seen,
                                                        Set<String> failedNames, List<ProviderInfo> infos,
                                                        List<ProviderLoadFailure> failures) {
        Map<String, String> listedIn = servicesFiles(spi, cl);
        ServiceLoader<P> loader = ServiceLoader.load(spi, cl);
        Iterator<P> it = loader.iterator();
        for (int guard = 0; guard < MAX_LISTED; guard++) {
            P p;
            try {
                if (!it.hasNext()) {
                    break;
                }
                p = it.next();
            } catch (ServiceConfigurationError e) {
                String className = classNamedIn(e, listedIn.keySet());
                if (failedNames.add(className)) {
                    String source = listedIn.getOrDefault(className, "unknown");
                    ProviderLoadFailure f = new ProviderLoadFailure(className, source, describe(e), e);
                    failures.add(f);
                    LOG.warn("Could not load {} provider {}", kind, f.describe(), e);
                }
                continue;
            } catch (LinkageError e) {
                String className = classNamedIn(e, listedIn.keySet());
                if (failedNames.add(className)) {
                    ProviderLoadFailure f = new ProviderLoadFailure(className, listedIn.getOrDefault(className, "unknown"), describe(e), e);
                    failures.add(f);
                    LOG.warn("Could not load {} provider {}", kind, f.describe(), e);
                }
                continue;
            }
            if (!seen.add(p.getClass())) {
                continue;
            }
            String source = sourceOf(p.getClass(), listedIn);
            Set<String> schemes = validSchemes(p, failures, source);
            if (schemes == null) {
                continue;
            }
            ProviderInfo info = new ProviderInfo(schemes, p.getClass().getName(), source, ProviderInfo.Origin.DISCOVERED, p);
            infos.add(info);
            LOG.info("Registered {} provider {} for schemes {} from {}", kind, info.className(), new TreeSet<>(schemes), source);
        }
    }

    private static Set<String> validSchemes(Provider p, List<ProviderLoadFailure> failures, String source) {
        Set<String> raw;
        try {
            raw = p.schemes();
        } catch (RuntimeException e) {
            failures.add(new ProviderLoadFailure(p.getClass().getName(), source, "schemes() failed: " + e, e));
            return null;
        }
        if (raw == null || raw.isEmpty()) {
            failures.add(new ProviderLoadFailure(p.getClass().getName(), source, "the provider declares no schemes", null));
            return null;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String s : raw) {
            if (s == null || !SCHEME.matcher(s).matches()) {
                failures.add(new ProviderLoadFailure(p.getClass().getName(), source,
                        "the scheme '" + s + "' is not a lower-case URL scheme", null));
                return null;
            }
            out.add(s);
        }
        return Collections.unmodifiableSet(out);
    }

    /** Maps every class named in a services file visible to {@code cl} to the jar or directory holding the file. */
    private static Map<String, String> servicesFiles(Class<?> spi, ClassLoader cl) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            Enumeration<URL> urls = cl.getResources("META-INF/services/" + spi.getName());
            while (urls.hasMoreElements()) {
                URL u = urls.nextElement();
                String source = sourceOfResource(u);
                try (InputStream in = u.openStream();
                     BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        int hash = line.indexOf('#');
                        String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                        if (!name.isEmpty()) {
                            out.putIfAbsent(name, source);
                        }
                    }
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not read the services files for {}: {}", spi.getName(), e.toString());
        }
        return out;
    }

    private static String sourceOfResource(URL u) {
        try {
            if ("jar".equals(u.getProtocol())) {
                JarURLConnection c = (JarURLConnection) u.openConnection();
                c.setUseCaches(false);
                return pathOf(c.getJarFileURL());
            }
            String s = u.toExternalForm();
            int i = s.indexOf("META-INF/services/");
            return i > 0 ? pathOf(new URL(s.substring(0, i))) : s;
        } catch (IOException e) {
            return u.toExternalForm();
        }
    }

    private static String pathOf(URL u) {
        try {
            if ("file".equals(u.getProtocol())) {
                return Path.of(u.toURI()).toString();
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // fall through
        }
        return u.toExternalForm();
    }

    /**
     * The jar or directory a class was loaded from.
     *
     * @param c the class
     * @param listedIn where services files named classes, as a fallback
     * @return a path, or {@code "unknown"}
     */
    static String sourceOf(Class<?> c, Map<String, String> listedIn) {
        try {
            CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) {
                return pathOf(cs.getLocation());
            }
        } catch (SecurityException e) {
            // fall through
        }
        return listedIn.getOrDefault(c.getName(), "unknown");
    }

    private static String classNamedIn(Throwable e, Set<String> candidates) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            String best = null;
            for (String c : candidates) {
                if (m.contains(c) && (best == null || c.length() > best.length())) {
                    best = c;
                }
            }
            if (best != null) {
                return best;
            }
        }
        return "unknown";
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Throwable t = e;
        for (int depth = 0; t != null && depth < 4; depth++, t = t.getCause()) {
            if (depth > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName());
            if (t.getMessage() != null) {
                sb.append(": ").append(t.getMessage());
            }
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------

    private P find(String candidate) {
        List<ProviderInfo> ex = explicit.get(candidate);
        if (ex != null) {
            return spi.cast(ex.get(0).provider());
        }
        List<ProviderInfo> di = discovered.get(candidate);
        if (di != null) {
            if (di.size() > 1) {
                throw new DuplicateSchemeException(kind, candidate, di);
            }
            return spi.cast(di.get(0).provider());
        }
        return null;
    }

    /**
     * The provider for a URL's scheme.
     *
     * @param url the URL
     * @return the provider
     * @throws UnknownSchemeException when no provider answers the scheme
     * @throws DuplicateSchemeException when two discovered providers answer it and none is explicit
     */
    public P resolve(BackendUrl url) {
        Objects.requireNonNull(url, "url");
        String scheme = url.scheme().toLowerCase(Locale.ROOT);
        for (String candidate : candidates(scheme)) {
            P found = find(candidate);
            if (found != null) {
                return found;
            }
        }
        if (scheme.indexOf('+') < 0 && scheme.indexOf(':') < 0) {
            // what a database backend's asUri() prints, as Celery's as_uri does (postgresql://, sqlite:///): read
            // back with Celery's db+ prefix, so that a URL printed can be used again
            P found = find(DB_ALIAS + scheme);
            if (found != null) {
                return found;
            }
        }
        StringBuilder note = new StringBuilder();
        if (!failures.isEmpty()) {
            note.append(failures.size()).append(failures.size() == 1 ? " provider" : " providers")
                    .append(" failed to load: ");
            for (int i = 0; i < failures.size(); i++) {
                if (i > 0) {
                    note.append("; ");
                }
                note.append(failures.get(i).describe());
            }
            note.append('.');
        }
        throw new UnknownSchemeException(kind, scheme, url.masked(), schemes(), note.toString());
    }

    /**
     * The provider for a URL's scheme.
     *
     * @param url the URL text
     * @return the provider
     * @throws io.celeriac.url.InvalidUrlException when the URL does not parse
     */
    public P resolve(String url) {
        return resolve(BackendUrl.parse(url));
    }

    private static List<String> candidates(String scheme) {
        List<String> out = new ArrayList<>(3);
        String s = scheme;
        out.add(s);
        int plus;
        while ((plus = s.lastIndexOf('+')) > 0) {
            s = s.substring(0, plus);
            out.add(s);
        }
        return out;
    }

    /**
     * Every registered provider: explicit ones first, then discovered ones in discovery order.
     *
     * @return the providers
     */
    public List<ProviderInfo> providers() {
        return providers;
    }

    /**
     * Providers that were listed but could not be loaded.
     *
     * @return the failures, in discovery order
     */
    public List<ProviderLoadFailure> failures() {
        return failures;
    }

    /**
     * Every scheme some provider answers.
     *
     * @return the schemes, sorted
     */
    public SortedSet<String> schemes() {
        SortedSet<String> all = new TreeSet<>(explicit.keySet());
        all.addAll(discovered.keySet());
        return Collections.unmodifiableSortedSet(all);
    }

    /**
     * What the providers make, e.g. {@code backend}.
     *
     * @return the kind
     */
    public String kind() {
        return kind;
    }

    /**
     * The provider interface.
     *
     * @return the SPI class
     */
    public Class<P> spi() {
        return spi;
    }
}
