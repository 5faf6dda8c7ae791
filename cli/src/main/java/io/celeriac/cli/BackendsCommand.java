package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.json.CeleryJson;
import io.celeriac.registry.ProviderInfo;
import io.celeriac.registry.ProviderLoadFailure;
import io.celeriac.registry.ProviderRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** {@code celeriac backends}: every installed provider of every SPI, with its schemes, class and jar. */
@Command(name = "backends", mixinStandardHelpOptions = true,
        description = "List every installed provider: SPI, schemes, class and jar.")
final class BackendsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--json", description = "Print JSON lines instead of a table.")
    boolean json;

    @Override
    public void run() {
        Celeriac celeriac = Celeriac.discover();
        PrintWriter out = spec.commandLine().getOut();
        List<ProviderRegistry<?>> registries = List.of(celeriac.backends(), celeriac.stateStores(),
                celeriac.eventStates(), celeriac.eventSources());
        Table table = new Table("SPI", "SCHEMES", "CLASS", "JAR");
        List<ProviderLoadFailure> failures = new ArrayList<>();
        for (ProviderRegistry<?> r : registries) {
            failures.addAll(r.failures());
            for (ProviderInfo p : r.providers()) {
                String schemes = String.join(", ", new TreeSet<>(p.schemes()));
                if (json) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("spi", r.kind());
                    m.put("schemes", new ArrayList<>(new TreeSet<>(p.schemes())));
                    m.put("class", p.className());
                    m.put("jar", p.source());
                    m.put("origin", p.origin().name().toLowerCase());
                    out.println(CeleryJson.encodeToString(m));
                } else {
                    table.row(r.kind(), schemes, p.className(), p.source());
                }
            }
        }
        if (!json) {
            table.print(out);
        }
        for (ProviderLoadFailure f : failures) {
            spec.commandLine().getErr().println("celeriac: could not load provider " + f.describe());
        }
        out.flush();
    }
}
