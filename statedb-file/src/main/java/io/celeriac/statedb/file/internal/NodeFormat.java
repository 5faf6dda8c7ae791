package io.celeriac.statedb.file.internal;

import java.util.List;
import java.util.function.Supplier;

/**
 * Celery's node-name placeholders in a state file name ({@code celery.utils.nodenames.node_format}):
 *
 * <ul>
 *   <li>{@code %p}: the full node name as given ({@code worker1@example.com});</li>
 *   <li>{@code %n}: the name before {@code @} ({@code worker1}; {@code celery} when there is none);</li>
 *   <li>{@code %h}: the host after {@code @} ({@code example.com}; a node name without {@code @} is all
 *       host, as Celery's {@code nodesplit}; this machine's host name when it is empty);</li>
 *   <li>{@code %d}: the host's domain, after its first {@code .} (empty when there is none);</li>
 *   <li>{@code %i}: the pool process index, {@code 0} in the main process;</li>
 *   <li>{@code %I}: {@code -<index>}, or empty in the main process;</li>
 *   <li>{@code %%}: a literal {@code %}.</li>
 * </ul>
 *
 * Any other {@code %x}, or a {@code %} ending the text, is a problem. Celery 5.2.6's own expander leaves
 * {@code %%} as two characters and rejects {@code %%x}; here {@code %%} is the escape its error message
 * advertises.
 */
public final class NodeFormat {

    private NodeFormat() {
    }

    /**
     * Expands the placeholders.
     *
     * @param text the file name with placeholders
     * @param nodeName the worker's node name
     * @param poolIndex the pool process index (0 in the main process)
     * @param localHost gives this machine's host name, used when the node name's host is empty
     * @param problems receives one sentence per bad placeholder
     * @return the expanded text (meaningless when problems were added)
     */
    public static String expand(String text, String nodeName, int poolIndex, Supplier<String> localHost, List<String> problems) {
        int at = nodeName.indexOf('@');
        String name = at < 0 ? null : nodeName.substring(0, at);
        String host = at < 0 ? nodeName : nodeName.substring(at + 1);
        if (name == null || name.isEmpty()) {
            name = "celery";
        }
        if (host.isEmpty()) {
            host = localHost.get();
        }
        int dot = host.indexOf('.');
        String domain = dot < 0 ? "" : host.substring(dot + 1);
        StringBuilder out = new StringBuilder(text.length() + 32);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= text.length()) {
                problems.add("the file name '" + text + "' ends with a lone '%'; write '%%' for a literal '%'");
                break;
            }
            char k = text.charAt(++i);
            switch (k) {
                case 'h':
                    out.append(host);
                    break;
                case 'n':
                    out.append(name);
                    break;
                case 'd':
                    out.append(domain);
                    break;
                case 'p':
                    out.append(nodeName);
                    break;
                case 'i':
                    out.append(poolIndex > 0 ? Integer.toString(poolIndex) : "0");
                    break;
                case 'I':
                    out.append(poolIndex > 0 ? "-" + poolIndex : "");
                    break;
                case '%':
                    out.append('%');
                    break;
                default:
                    problems.add("unknown placeholder '%" + k + "' in the file name '" + text
                            + "'; the placeholders are %h %n %d %p %i %I, and '%%' for a literal '%'");
            }
        }
        return out.toString();
    }
}
