package io.celeriac.testing;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Builds real plugin jars inside a test: compiles Java sources against a class path and packs them with
 * {@code META-INF/services} files, as a third party would ship a plugin.
 */
public final class PluginJars {
    private PluginJars() {
    }

    /**
     * Compiles {@code sources} and packs them into {@code dir/<jarName>.jar}.
     *
     * @param dir a scratch directory
     * @param jarName the jar's name without extension
     * @param classPath the class path to compile against (e.g. {@code System.getProperty("java.class.path")})
     * @param sources fully qualified class name to source text
     * @param services services file name (the SPI's fully qualified name) to its content
     * @return the jar
     * @throws IOException on I/O failure
     * @throws IllegalStateException when compilation fails
     */
    public static Path build(Path dir, String jarName, String classPath, Map<String, String> sources,
                             Map<String, String> services) throws IOException {
        Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
        Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", classPath, "--release", "17", "-nowarn"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("no Java compiler in this JVM (run the tests on a JDK)");
        }
        if (javac.run(null, null, null, args.toArray(new String[0])) != 0) {
            throw new IllegalStateException("compilation of " + jarName + " failed");
        }
        Path jar = dir.resolve(jarName + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            try (Stream<Path> files = Files.walk(classes)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            for (Map.Entry<String, String> e : services.entrySet()) {
                out.putNextEntry(new JarEntry("META-INF/services/" + e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return jar;
    }

    /**
     * The source of a backend provider class for {@code schemes} that opens {@code memory://} backends,
     * with an optional static initializer body (e.g. one that throws).
     *
     * @param pkg the package
     * @param cls the simple class name
     * @param schemes the schemes as Java string literals, comma-separated (e.g. {@code "\"a\", \"b\""})
     * @param staticInit the static initializer's body, or empty
     * @return the source text
     */
    public static String backendProvider(String pkg, String cls, String schemes, String staticInit) {
        return "package " + pkg + ";\n"
                + "import io.celeriac.backend.*; import io.celeriac.backend.spi.*; import io.celeriac.url.BackendUrl; import java.util.Set;\n"
                + "public final class " + cls + " implements BackendProvider {\n"
                + "  static { " + staticInit + " }\n"
                + "  public Set<String> schemes() { return Set.of(" + schemes + "); }\n"
                + "  public Backend open(BackendUrl url, BackendOptions options) {\n"
                + "    return new io.celeriac.backend.memory.MemoryBackendProvider().open(BackendUrl.parse(\"memory://\"), options);\n"
                + "  }\n"
                + "}\n";
    }
}
