package io.celeriac.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README is code a user copies: every {@code ```java} block of README.md compiles against the artifacts, and
 * the "Add it to your build" block names artifacts the BOM manages, at the BOM's version.
 *
 * <p>A block that is a whole file (it starts with {@code import} or {@code package}) is compiled as it is. Any
 * other block is a fragment: its top-level type declarations become nested classes and its statements the body
 * of a method, with the common imports ({@code java.util}, {@code java.time}, {@code java.util.concurrent} and
 * celeriac's core packages). What a fragment leaves to the reader is stated in an HTML comment just before the
 * block, invisible on the rendered page: {@code import} lines, {@code member:} lines (members of the wrapping
 * class) and local declarations. A line holding only {@code ...} stands for the reader's own code and is left out.
 */
class ReadmeJavaIT {

    private static final Path ROOT = Path.of(System.getProperty("celeriac.repo.root", "."));
    private static final List<String> COMMON_IMPORTS = List.of(
            "java.util.*", "java.time.*", "java.util.concurrent.*",
            "io.celeriac.*", "io.celeriac.backend.*", "io.celeriac.state.*", "io.celeriac.events.*",
            "io.celeriac.broker.*", "io.celeriac.url.*");
    private static final String HIDDEN = "<!-- compiled by ";
    private static final Pattern TYPE_START = Pattern.compile(
            "^(public |abstract |final |static )*(class|interface|record|enum) (\\w+).*");

    @TempDir
    Path out;

    /** One {@code ```java} block: where it starts, its text, and the comment before it. */
    record Block(int line, String code, String hidden) {
    }

    static List<Block> javaBlocks(String readme) {
        List<Block> blocks = new ArrayList<>();
        String[] lines = readme.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].equals("```java")) {
                continue;
            }
            int start = i + 1;
            StringBuilder code = new StringBuilder();
            int j = start;
            while (j < lines.length && !lines[j].equals("```")) {
                code.append(lines[j]).append('\n');
                j++;
            }
            String hidden = "";
            if (i > 0 && lines[i - 1].equals("-->")) {
                int k = i - 1;
                while (k > 0 && !lines[k].startsWith(HIDDEN)) {
                    k--;
                }
                hidden = String.join("\n", java.util.Arrays.asList(lines).subList(k + 1, i - 1));
            }
            blocks.add(new Block(start + 1, code.toString(), hidden));
            i = j;
        }
        return blocks;
    }

    /** The compilation unit of a block, in package {@code readme}. */
    static Unit unit(Block b, int n) {
        String code = b.code();
        String firstCode = code.lines().filter(l -> !l.isBlank() && !l.startsWith("//")).findFirst().orElse("");
        if (firstCode.startsWith("import ") || firstCode.startsWith("package ")) {
            Matcher m = Pattern.compile("public (final )?class (\\w+)").matcher(code);
            assertThat(m.find()).as("the whole-file block at README line %d declares a public class", b.line()).isTrue();
            return new Unit(m.group(2), code.startsWith("package ") ? code : "package readme;\n" + code, b.line(), 1);
        }
        List<String> imports = new ArrayList<>();
        List<String> members = new ArrayList<>();
        List<String> locals = new ArrayList<>();
        for (String l : b.hidden().split("\n")) {
            if (l.isBlank()) {
                continue;
            }
            if (l.startsWith("import ")) {
                imports.add(l);
            } else if (l.startsWith("member:")) {
                members.add(l.substring("member:".length()));
            } else {
                locals.add(l);
            }
        }
        StringBuilder types = new StringBuilder();
        StringBuilder statements = new StringBuilder();
        String[] lines = code.split("\n");
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (l.strip().equals("...")) {
                statements.append('\n');
                continue;
            }
            Matcher t = TYPE_START.matcher(l);
            if (t.matches()) {
                // a top-level type: up to the closing brace in column 0, made a static nested type
                types.append(l.contains("static ") || !l.contains("class ") ? l : l.replaceFirst("class ", "static class "))
                        .append('\n');
                while (++i < lines.length && !lines[i].startsWith("}")) {
                    types.append(lines[i].strip().equals("...") ? "" : lines[i]).append('\n');
                }
                types.append("}\n");
                statements.append('\n');
                continue;
            }
            statements.append(l).append('\n');
        }
        String name = "ReadmeBlock" + n;
        StringBuilder src = new StringBuilder("package readme;\n");
        COMMON_IMPORTS.forEach(i -> src.append("import ").append(i).append(";\n"));
        imports.forEach(i -> src.append(i).append('\n'));
        src.append("@SuppressWarnings(\"all\")\nclass ").append(name).append(" {\n");
        members.forEach(m -> src.append(m).append('\n'));
        src.append(types);
        src.append("void run() throws Exception {\n");
        locals.forEach(l -> src.append(l).append('\n'));
        int header = (int) src.chars().filter(c -> c == '\n').count();
        src.append(statements).append("}\n}\n");
        return new Unit(name, src.toString(), b.line(), header + 1);
    }

    /**
     * A source to compile.
     *
     * @param className its class name
     * @param source its text
     * @param readmeLine the README line of the block's first line
     * @param firstLine the line of the source where the block's statements start, for mapping errors back
     */
    record Unit(String className, String source, int readmeLine, int firstLine) {
    }

    @Test
    void everyJavaBlockOfTheReadmeCompiles() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<Block> blocks = javaBlocks(readme);
        assertThat(blocks).as("the README's java blocks").hasSizeGreaterThan(5);
        assertThat(blocks.get(0).code()).as("the first block (\"Using it\") is a whole program").startsWith("import ");

        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            units.add(unit(blocks.get(i), i + 1));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> sources = new ArrayList<>();
        for (Unit u : units) {
            sources.add(new SimpleJavaFileObject(URI.create("string:///readme/" + u.className() + ".java"),
                    JavaFileObject.Kind.SOURCE) {
                @Override
                public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                    return u.source();
                }
            });
        }
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-proc:none", "--release", "17", "-classpath", classPath(), "-d", out.toString());
            boolean ok = javac.getTask(null, files, diagnostics, options, null, sources).call();
            List<String> errors = new ArrayList<>();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                if (d.getKind() != Diagnostic.Kind.ERROR) {
                    continue;
                }
                String file = d.getSource() == null ? "?" : d.getSource().getName();
                Unit u = units.stream().filter(x -> file.endsWith("/" + x.className() + ".java")).findFirst().orElse(null);
                String where = u == null ? file
                        : "README.md block at line " + u.readmeLine() + " (source line " + d.getLineNumber()
                        + (u.firstLine() > 1 ? ", block line " + (d.getLineNumber() - u.firstLine() + 1) : "") + ")";
                errors.add(where + ": " + d.getMessage(Locale.ROOT));
            }
            assertThat(errors).as("compile errors of the README's java blocks").isEmpty();
            assertThat(ok).isTrue();
        }
        assertThat(out.resolve("readme/StoreAndRead.class")).exists();
    }

    @Test
    void theBuildBlockNamesWhatTheBomManages() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        String section = readme.substring(readme.indexOf("## Add it to your build"), readme.indexOf("## Using it"));
        String bom = Files.readString(ROOT.resolve("bom/pom.xml"));
        Matcher version = Pattern.compile("<artifactId>celeriac-bom</artifactId>\\s*<version>([^<]+)</version>").matcher(bom);
        assertThat(version.find()).isTrue();
        String v = version.group(1);
        assertThat(section).contains("<artifactId>celeriac-bom</artifactId>\n      <version>" + v + "</version>")
                .contains("<scope>import</scope>")
                .contains("platform(\"io.celeriac:celeriac-bom:" + v + "\")")
                .contains("./mvnw -B install");
        Set<String> named = new LinkedHashSet<>();
        Matcher a = Pattern.compile("(?:<artifactId>|\"io\\.celeriac:|`)(celeriac-[a-z-]+)").matcher(section);
        while (a.find()) {
            named.add(a.group(1));
        }
        named.remove("celeriac-bom");
        assertThat(named).hasSizeGreaterThan(5);
        for (String artifact : named) {
            assertThat(bom).as("the BOM manages %s", artifact).contains("<artifactId>" + artifact + "</artifactId>");
        }
    }

    @Test
    void theLoggingSectionSaysWhatToAddAndNamesRealLoggers() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int from = readme.indexOf("### Logging\n");
        assertThat(from).as("a Logging section").isPositive();
        String section = readme.substring(from, readme.indexOf("\n#", from + 5));
        assertThat(section).contains("SLF4J").contains("No SLF4J providers").contains("<artifactId>slf4j-simple</artifactId>")
                .contains("--verbose");
        Matcher m = Pattern.compile("^\\| `(io\\.celeriac[\\w.]*)` \\| ([A-Z /]+) \\|", Pattern.MULTILINE).matcher(section);
        int loggers = 0;
        while (m.find()) {
            loggers++;
            String name = m.group(1);
            boolean isClass;
            try {
                Class.forName(name, false, getClass().getClassLoader());
                isClass = true;
            } catch (ClassNotFoundException e) {
                isClass = false;
            }
            assertThat(isClass || getClass().getClassLoader().getResource(name.replace('.', '/')) != null)
                    .as("the logger %s names a class or a package", name).isTrue();
        }
        assertThat(loggers).isGreaterThan(4);
    }

    /** The class path the tests run with: every module jar and its libraries, as a user's build has them. */
    private static String classPath() {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> kept = new ArrayList<>();
        for (String e : cp.split(File.pathSeparator)) {
            if (!e.isBlank()) {
                kept.add(e);
            }
        }
        return String.join(File.pathSeparator, kept);
    }
}
