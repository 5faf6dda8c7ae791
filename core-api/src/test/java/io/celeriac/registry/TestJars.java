package io.celeriac.registry;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Builds real plugin jars in a test: compiles sources against the test class path and adds services files. */
final class TestJars {
    private TestJars() {
    }

    static Path build(Path dir, String jarName, Map<String, String> sources, Map<String, String> services) throws IOException {
        Path src = Files.createDirectories(dir.resolve(jarName + "-src"));
        Path classes = Files.createDirectories(dir.resolve(jarName + "-classes"));
        List<String> args = new ArrayList<>(List.of("-d", classes.toString(), "-cp", System.getProperty("java.class.path"), "--release", "17"));
        for (Map.Entry<String, String> e : sources.entrySet()) {
            Path f = src.resolve(e.getKey().replace('.', '/') + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, e.getValue());
            args.add(f.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, args.toArray(new String[0]));
        if (rc != 0) {
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
                write(out, e.getValue());
                out.closeEntry();
            }
        }
        return jar;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
    }

    static String provider(String pkg, String cls, String schemes, String staticInit) {
        return "package " + pkg + ";\n"
                + "import io.celeriac.backend.*; import io.celeriac.backend.spi.*; import io.celeriac.url.BackendUrl; import java.util.Set;\n"
                + "public final class " + cls + " implements BackendProvider {\n"
                + "  static { " + staticInit + " }\n"
                + "  public Set<String> schemes() { return Set.of(" + schemes + "); }\n"
                + "  public Backend open(BackendUrl url, BackendOptions options) {\n"
                + "    return new io.celeriac.backend.memory.MemoryBackend(BackendUrl.parse(\"memory://\"), options);\n"
                + "  }\n"
                + "}\n";
    }
}
