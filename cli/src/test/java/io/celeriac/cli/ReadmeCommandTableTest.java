package io.celeriac.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's command table and the command agree: every command (and every action of {@code inspect} and
 * {@code control}) is in the table and every row names a real command; every option a row names exists, one shown
 * as optional ({@code [--x]}) is optional, one shown as required has no default, and the default of every option a
 * row names is stated in the row; every command's {@code --help} runs and keeps its URLs on one line; the exit codes
 * are listed. The test knows no command by name, so commands added later are checked the same way.
 */
class ReadmeCommandTableTest {

    private static final Pattern URL = Pattern.compile("[a-z][a-z0-9+]*://[^\\s,;)]*");

    /** One row of the table: the command cell and the description cell. */
    record Row(String command, String description) {
    }

    private static String readme() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("README.md above " + Path.of("").toAbsolutePath()).isNotNull();
        return Files.readString(dir.resolve("README.md"));
    }

    private static String section(String readme) {
        int from = readme.indexOf("\n## The command\n");
        assertThat(from).isPositive();
        int to = readme.indexOf("\n## ", from + 5);
        return readme.substring(from, to < 0 ? readme.length() : to);
    }

    private static List<Row> rows(String section) {
        List<Row> rows = new ArrayList<>();
        for (String line : section.split("\n")) {
            if (!line.startsWith("| `celeriac")) {
                continue;
            }
            // cells are split at '|' not escaped as '\|'
            String[] cells = line.substring(1).split("(?<!\\\\)\\|");
            String command = cells[0].strip();
            assertThat(command).startsWith("`celeriac").endsWith("`");
            rows.add(new Row(command.substring(1, command.length() - 1).replace("\\|", "|"), cells[1].strip()));
        }
        assertThat(rows).hasSizeGreaterThan(10);
        return rows;
    }

    private static CommandLine root() {
        return new CommandLine(new Main());
    }

    /** The commands a user runs: leaves of the tree (help aside), by their path, e.g. "result wait". */
    private static Map<String, CommandLine> leaves(CommandLine cl, String path, Map<String, CommandLine> out) {
        for (Map.Entry<String, CommandLine> e : cl.getSubcommands().entrySet()) {
            if (e.getValue().getCommand() instanceof CommandLine.HelpCommand || !e.getKey().equals(e.getValue().getCommandName())) {
                continue; // help, and aliases
            }
            String p = (path.isEmpty() ? "" : path + " ") + e.getKey();
            if (e.getValue().getSubcommands().isEmpty()) {
                out.put(p, e.getValue());
            } else {
                leaves(e.getValue(), p, out);
            }
        }
        return out;
    }

    /** The actions of a command whose first positional parameter names one (inspect, control). */
    private static Set<String> actions(CommandSpec spec) {
        Set<String> out = new TreeSet<>();
        if (!spec.positionalParameters().isEmpty()) {
            PositionalParamSpec first = spec.positionalParameters().get(0);
            if (first.completionCandidates() != null && "ACTION".equals(first.paramLabel())) {
                first.completionCandidates().forEach(out::add);
            }
        }
        return out;
    }

    /** One alternative of a row: the command it names, and the options with whether each is shown as optional. */
    record Usage(String path, String action, Map<String, Boolean> optionShownOptional) {
    }

    private static List<Usage> usages(Row row, Map<String, CommandLine> leaves) {
        List<Usage> out = new ArrayList<>();
        String[] alternatives = row.command().substring("celeriac".length()).strip().split("\\|");
        String path = null;
        for (int i = 0; i < alternatives.length; i++) {
            String alt = alternatives[i].strip();
            String action = null;
            int argsFrom;
            if (i == 0) {
                String[] words = alt.split(" ");
                String p = "";
                int k = 0;
                while (k < words.length) {
                    String candidate = p.isEmpty() ? words[k] : p + " " + words[k];
                    if (leaves.keySet().stream().noneMatch(l -> l.equals(candidate) || l.startsWith(candidate + " "))) {
                        break;
                    }
                    p = candidate;
                    k++;
                }
                path = p;
                assertThat(leaves).as("the README row `%s` names a command", row.command()).containsKey(path);
                if (!actions(leaves.get(path).getCommandSpec()).isEmpty() && k < words.length) {
                    action = words[k];
                }
                argsFrom = 0;
                for (int w = 0; w < k + (action == null ? 0 : 1); w++) {
                    argsFrom += words[w].length() + 1;
                }
            } else {
                String[] words = alt.split(" ");
                action = words[0];
                argsFrom = Math.min(alt.length(), action.length() + 1);
            }
            out.add(new Usage(path, action, options(alt.substring(Math.min(argsFrom, alt.length())))));
        }
        return out;
    }

    /** The options in a usage text, each with whether it sits inside brackets. */
    private static Map<String, Boolean> options(String text) {
        Map<String, Boolean> out = new LinkedHashMap<>();
        int depth = 0;
        Matcher m = Pattern.compile("\\[|\\]|(?<![\\w-])(--?[A-Za-z][\\w-]*)").matcher(text);
        while (m.find()) {
            if (m.group().equals("[")) {
                depth++;
            } else if (m.group().equals("]")) {
                depth--;
            } else {
                out.put(m.group(1), depth > 0);
            }
        }
        return out;
    }

    @Test
    void everyCommandIsInTheTableAndEveryRowNamesACommand() throws IOException {
        Map<String, CommandLine> leaves = leaves(root(), "", new LinkedHashMap<>());
        List<Row> rows = rows(section(readme()));
        Set<String> documented = new LinkedHashSet<>();
        Map<String, Set<String>> documentedActions = new LinkedHashMap<>();
        for (Row row : rows) {
            for (Usage u : usages(row, leaves)) {
                documented.add(u.path());
                if (u.action() != null) {
                    documentedActions.computeIfAbsent(u.path(), k -> new TreeSet<>()).add(u.action());
                }
            }
        }
        assertThat(documented).as("commands in the README's table").containsAll(leaves.keySet());
        for (Map.Entry<String, CommandLine> e : leaves.entrySet()) {
            Set<String> actions = actions(e.getValue().getCommandSpec());
            if (!actions.isEmpty()) {
                assertThat(documentedActions.getOrDefault(e.getKey(), Set.of()))
                        .as("the actions of `celeriac %s` in the README's table", e.getKey())
                        .containsExactlyInAnyOrderElementsOf(actions);
            }
        }
    }

    @Test
    void everyOptionARowNamesExistsAsShownWithItsDefault() throws IOException {
        Map<String, CommandLine> leaves = leaves(root(), "", new LinkedHashMap<>());
        List<String> problems = new ArrayList<>();
        for (Row row : rows(section(readme()))) {
            for (Usage u : usages(row, leaves)) {
                CommandSpec spec = leaves.get(u.path()).getCommandSpec();
                for (Map.Entry<String, Boolean> o : u.optionShownOptional().entrySet()) {
                    OptionSpec option = spec.findOption(o.getKey());
                    String where = "`celeriac " + u.path() + (u.action() == null ? "" : " " + u.action()) + "` " + o.getKey();
                    if (option == null) {
                        problems.add(where + ": no such option");
                        continue;
                    }
                    String dflt = option.defaultValue();
                    boolean hasDefault = dflt != null && !dflt.isEmpty() && !option.typeInfo().isBoolean();
                    if (o.getValue() && option.required()) {
                        problems.add(where + ": shown as optional, but required");
                    }
                    if (!o.getValue() && hasDefault) {
                        problems.add(where + ": shown as required, but it has a default (" + dflt + ")");
                    }
                    if (hasDefault && !statesDefault(row.command() + " " + row.description(), dflt.replace("%%", "%"))) {
                        problems.add(where + ": the row does not state its default, " + dflt);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** Whether a row states a default: as written, or a whole number as such ({@code 1.0} as {@code 1 s}). */
    private static boolean statesDefault(String row, String dflt) {
        if (row.contains(dflt)) {
            return true;
        }
        try {
            double d = Double.parseDouble(dflt);
            return d == Math.rint(d) && Pattern.compile("\\b" + (long) d + "( s|:| \\()").matcher(row).find();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    @Test
    void everyHelpRunsAndKeepsItsUrlsWhole() {
        Map<String, CommandLine> all = new LinkedHashMap<>();
        all.put("", root());
        leaves(root(), "", all);
        for (Map.Entry<String, CommandLine> e : all.entrySet()) {
            List<String> args = new ArrayList<>(e.getKey().isEmpty() ? List.of() : List.of(e.getKey().split(" ")));
            args.add("--help");
            MainTest.Run r = MainTest.run(args.toArray(String[]::new));
            assertThat(r.code()).as("celeriac %s --help", e.getKey()).isZero();
            assertThat(r.out()).as("celeriac %s --help", e.getKey()).startsWith("Usage: celeriac");
            CommandLine unwrapped = root();
            for (String w : e.getKey().isEmpty() ? List.<String>of() : List.of(e.getKey().split(" "))) {
                unwrapped = unwrapped.getSubcommands().get(w);
            }
            unwrapped.setUsageHelpWidth(1000);
            Matcher m = URL.matcher(unwrapped.getUsageMessage(CommandLine.Help.Ansi.OFF));
            while (m.find()) {
                assertThat(r.out()).as("celeriac %s --help keeps %s on one line", e.getKey(), m.group()).contains(m.group());
            }
        }
    }

    @Test
    void noArgumentsIsBadUsage() {
        MainTest.Run r = MainTest.run();
        assertThat(r.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).startsWith("Usage: celeriac");
        MainTest.Run group = MainTest.run("result");
        assertThat(group.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(group.err()).startsWith("Usage: celeriac result");
    }

    @Test
    void theExitCodesAreListed() throws IOException, IllegalAccessException {
        String section = section(readme());
        int from = section.indexOf("Exit codes:");
        assertThat(from).isPositive();
        String codes = section.substring(from, section.indexOf("\n\n", from) < 0 ? section.length() : section.indexOf("\n\n", from));
        for (Field f : ExitCodes.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                f.setAccessible(true);
                assertThat(codes).as("exit code %s (%s)", f.getInt(null), f.getName()).containsPattern("\\b" + f.getInt(null) + " ");
            }
        }
        assertThat(codes).contains("69 ").contains("130 ").containsIgnoringCase("revoked");
    }
}
