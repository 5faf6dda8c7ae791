package io.celeriac.cli;

import io.celeriac.Celeriac;
import io.celeriac.broker.Broker;
import io.celeriac.client.control.Control;
import io.celeriac.control.ControlReply;
import io.celeriac.json.CeleryJson;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code celeriac inspect} and {@code celeriac control} share: the remote-control options and Celery's output
 * ({@code celery/bin/control.py} and {@code CLIContext.pretty}): {@code ->  <node>: OK} (or {@code ERROR}) per
 * reply as it arrives, the value indented below it, and {@code Error: No nodes replied within time constraint}
 * with exit code 69 ({@code EX_UNAVAILABLE}) when nobody answers.
 */
final class RemoteControlOutput {

    /** Celery's exit code when no node replied: {@code EX_UNAVAILABLE}. */
    static final int NO_REPLY = 69;

    private RemoteControlOutput() {
    }

    /** The options of {@code celery inspect} / {@code celery control}, and the broker. */
    static final class Options {
        @CommandLine.Mixin
        EventsCommand.Broker broker;

        @CommandLine.Option(names = {"-d", "--destination"}, split = ",", paramLabel = "NODE",
                description = "Comma separated list of destination node names (default: every node).")
        List<String> destination;

        @CommandLine.Option(names = {"-t", "--timeout"}, paramLabel = "S", defaultValue = "1.0",
                description = "Timeout in seconds waiting for reply (default: ${DEFAULT-VALUE}).")
        double timeout;

        @CommandLine.Option(names = {"-j", "--json"}, description = "Use json as output format.")
        boolean json;

        Duration timeout(CommandLine cl) {
            if (!(timeout > 0) || Double.isInfinite(timeout)) {
                throw new CommandLine.ParameterException(cl, "--timeout must be a positive number of seconds");
            }
            return Duration.ofNanos((long) (timeout * 1e9));
        }
    }

    /**
     * Sends one command with replies wanted, prints each reply as it arrives (unless {@code --json}), and reports
     * when nobody answered.
     *
     * @return the exit code
     */
    static int run(CommandLine cl, Options o, String method, Map<String, Object> arguments, boolean inspect) {
        Duration timeout = o.timeout(cl);
        PrintWriter out = cl.getOut();
        List<ControlReply> replies;
        try (Broker broker = Celeriac.discover().openBroker(o.broker.resolve());
             Control control = Control.create(broker)) {
            List<String> destination = o.destination == null || o.destination.isEmpty() ? null : o.destination;
            replies = control.mailbox().call(method, arguments, destination, null, null, timeout, 0,
                    o.json ? null : r -> {
                        print(out, r);
                        out.flush();
                    });
        }
        if (replies.isEmpty()) {
            cl.getErr().println("Error: No nodes replied within time constraint");
            return NO_REPLY;
        }
        Map<String, Object> byNode = new java.util.LinkedHashMap<>();
        for (ControlReply r : replies) {
            byNode.put(r.node(), r.value());
        }
        if (o.json) {
            out.println(CeleryJson.encodeToString(byNode));
        } else if (inspect) {
            out.println();
            out.println(byNode.size() + " " + (byNode.size() == 1 ? "node" : "nodes") + " online.");
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Celery's {@code _say_remote_command_reply} with {@code show_reply=True}. */
    static void print(PrintWriter out, ControlReply reply) {
        String[] statusAndText = pretty(reply.value());
        out.println("->  " + reply.node() + ": " + statusAndText[0]);
        out.println(indent(statusAndText[1], 4));
    }

    /** Celery's {@code CLIContext.pretty}: the status ({@code OK} / {@code ERROR}) and the text of a value. */
    static String[] pretty(Object n) {
        if (n instanceof List<?> list) {
            if (list.isEmpty()) {
                return new String[] {"OK", "- empty -"};
            }
            List<String> lines = new ArrayList<>();
            for (Object item : list) {
                lines.add("* " + str(item));
            }
            return new String[] {"OK", String.join("\n", lines)};
        }
        if (n instanceof Map<?, ?> map) {
            if (map.containsKey("ok")) {
                return new String[] {"OK", indent(pretty(map.get("ok"))[1], 4)};
            }
            if (map.containsKey("error")) {
                return new String[] {"ERROR", indent(pretty(map.get("error"))[1], 4)};
            }
            StringBuilder sb = new StringBuilder();
            sortedJson(map, 0, sb);
            // Celery passes the JSON through pygments' highlight, which ends it with a newline
            return new String[] {"OK", sb.append('\n').toString()};
        }
        if (n instanceof String s) {
            return new String[] {"OK", s};
        }
        return new String[] {"OK", ControlReply.repr(n)};
    }

    /** Python's {@code str()}: a string as is, anything else as its {@code repr}. */
    private static String str(Object v) {
        return v instanceof String s ? s : ControlReply.repr(v);
    }

    /** Celery's {@code text.indent}: every line prefixed with {@code n} spaces. */
    static String indent(String text, int n) {
        String pad = " ".repeat(n);
        return pad + text.replace("\n", "\n" + pad);
    }

    /** Python's {@code json.dumps(value, sort_keys=True, indent=4)}. */
    static void sortedJson(Object v, int level, StringBuilder sb) {
        String pad = "    ".repeat(level + 1);
        if (v instanceof Map<?, ?> map && !map.isEmpty()) {
            Map<String, Object> sorted = new TreeMap<>();
            map.forEach((k, val) -> sorted.put(String.valueOf(k), val));
            sb.append("{\n");
            int i = 0;
            for (Map.Entry<String, Object> e : sorted.entrySet()) {
                sb.append(pad).append(CeleryJson.encodeToString(e.getKey())).append(": ");
                sortedJson(e.getValue(), level + 1, sb);
                sb.append(++i < sorted.size() ? ",\n" : "\n");
            }
            sb.append("    ".repeat(level)).append('}');
        } else if (v instanceof List<?> list && !list.isEmpty()) {
            sb.append("[\n");
            int i = 0;
            for (Object item : list) {
                sb.append(pad);
                sortedJson(item, level + 1, sb);
                sb.append(++i < list.size() ? ",\n" : "\n");
            }
            sb.append("    ".repeat(level)).append(']');
        } else {
            sb.append(CeleryJson.encodeToString(v));
        }
    }
}
