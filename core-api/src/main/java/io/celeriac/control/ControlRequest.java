package io.celeriac.control;

import io.celeriac.broker.Message;
import io.celeriac.json.CeleryJson;
import io.celeriac.json.JsonFormatException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One remote-control request as kombu's {@code Mailbox._publish} sends it: the command ({@code method}) and its
 * keyword arguments, which nodes should run it ({@code destination}, or {@code pattern} with {@code matcher}), and,
 * when replies are wanted, the {@code ticket} that the replies echo and where to send them ({@code reply_to}).
 *
 * <p>{@link #toMessage} writes the JSON body in kombu's key order
 * ({@code method, arguments, destination, pattern, matcher[, ticket, reply_to]}; a request without a ticket has
 * neither of the last two keys, as a Celery broadcast that expects no reply) with the headers {@code clock} and
 * {@code expires}; {@link #fromMessage} reads one back. Immutable and thread-safe.
 *
 * @param method the command, e.g. {@code ping}; not {@code null} nor empty
 * @param arguments the command's keyword arguments (JSON-like values), never {@code null}
 * @param destination the node names to run it, or {@code null} for every node (a given list is never empty)
 * @param pattern a node-name pattern used with {@code matcher} when no destination is given, or {@code null}
 * @param matcher {@code glob} or {@code pcre} (kombu's matchers), or {@code null}
 * @param ticket the id the replies carry in their {@code ticket} header, or {@code null} when no reply is wanted
 * @param replyTo where to reply, or {@code null} when no reply is wanted
 */
public record ControlRequest(String method, Map<String, Object> arguments, List<String> destination, String pattern,
                             String matcher, String ticket, ReplyTo replyTo) {

    /** The {@code clock} header: the sender's Lamport clock. */
    public static final String CLOCK_HEADER = "clock";
    /** The {@code expires} header: the unix time (seconds, a float) after which nodes ignore the request. */
    public static final String EXPIRES_HEADER = "expires";

    /**
     * Where the replies to a request go: kombu's {@code reply_to} object.
     *
     * @param exchange the reply exchange, {@code reply.celery.pidbox}
     * @param routingKey the client's id (its reply queue is {@code <routingKey>.reply.celery.pidbox})
     */
    public record ReplyTo(String exchange, String routingKey) {
        /**
         * Checks the fields.
         *
         * @throws MalformedControlRequestException when a field is {@code null}
         */
        public ReplyTo {
            if (exchange == null || routingKey == null) {
                throw new MalformedControlRequestException("reply_to needs an exchange and a routing_key");
            }
        }
    }

    /**
     * Checks and copies the fields.
     *
     * @throws MalformedControlRequestException when the method is missing or empty, a destination is empty or
     *         holds {@code null}, only one of ticket and reply-to is given, or an argument is not JSON-like
     */
    public ControlRequest {
        if (method == null || method.isEmpty()) {
            throw new MalformedControlRequestException("it has no method");
        }
        arguments = arguments == null ? Map.of() : copyArguments(arguments);
        if (destination != null) {
            if (destination.isEmpty() || destination.stream().anyMatch(java.util.Objects::isNull)) {
                throw new MalformedControlRequestException("a destination must name at least one node and no null: "
                        + destination);
            }
            destination = List.copyOf(destination);
        }
        if ((ticket == null) != (replyTo == null)) {
            throw new MalformedControlRequestException("a request that wants replies needs both a ticket and "
                    + "reply_to, one without replies neither (ticket " + ticket + ", reply_to " + replyTo + ")");
        }
    }

    private static Map<String, Object> copyArguments(Map<String, ?> arguments) {
        try {
            // a round trip through Celery's JSON checks that every value can travel and makes a deep copy
            Object copy = CeleryJson.decode(CeleryJson.encode(arguments));
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) copy;
            return Collections.unmodifiableMap(m);
        } catch (RuntimeException e) {
            throw new MalformedControlRequestException("its arguments are not JSON-like values: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the sender waits for replies (it gave a ticket and reply-to).
     *
     * @return {@code true} when nodes should answer
     */
    public boolean wantsReply() {
        return replyTo != null;
    }

    /**
     * Whether a node of this name should run the request, as kombu's {@code Node.handle_message} decides: a
     * destination must name it; otherwise a pattern with a matcher must match it; otherwise every node runs it.
     *
     * @param nodename the node's name, e.g. {@code worker1@host}
     * @return whether the node should run it
     * @throws MalformedControlRequestException when the matcher is neither {@code glob} nor {@code pcre}, or the
     *         pattern is not a valid regular expression
     */
    public boolean isFor(String nodename) {
        if (destination != null) {
            return destination.contains(nodename);
        }
        if (pattern != null && !pattern.isEmpty() && matcher != null && !matcher.isEmpty()) {
            return NodeMatchers.matches(nodename, pattern, matcher);
        }
        return true;
    }

    /**
     * The request as a broker message: kombu's JSON body, headers {@code clock} and {@code expires}, delivery mode
     * 2 (a pidbox request is published by exchange name, so kombu's persistent default applies).
     *
     * @param clock the sender's Lamport clock after forwarding it
     * @param expires the unix time (seconds) after which nodes ignore the request, or {@code null} for none
     *        (kombu then sends {@code 0})
     * @return the message
     */
    public Message toMessage(long clock, Double expires) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", method);
        body.put("arguments", arguments);
        body.put("destination", destination);
        body.put("pattern", pattern);
        body.put("matcher", matcher);
        if (ticket != null) {
            body.put("ticket", ticket);
            Map<String, Object> to = new LinkedHashMap<>();
            to.put("exchange", replyTo.exchange());
            to.put("routing_key", replyTo.routingKey());
            body.put("reply_to", to);
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put(CLOCK_HEADER, clock);
        headers.put(EXPIRES_HEADER, expires == null ? (Object) 0L : expires);
        return Message.builder().body(CeleryJson.encode(body)).headers(headers).deliveryMode(Message.PERSISTENT)
                .build();
    }

    /**
     * Reads a request from a message's JSON body (kombu's {@code Node.handle_message} input). Unknown keys are
     * ignored; a missing {@code arguments} reads as none.
     *
     * @param message the message
     * @return the request
     * @throws MalformedControlRequestException when the body is not such a request
     */
    public static ControlRequest fromMessage(Message message) {
        String type = message.contentType();
        if (type != null && !type.equals("application/json")) {
            throw new MalformedControlRequestException("its content type is " + type + ", not application/json");
        }
        Object decoded;
        try {
            decoded = CeleryJson.decode(message.body());
        } catch (JsonFormatException e) {
            throw new MalformedControlRequestException("its body is not JSON: " + e.getMessage(), e);
        }
        if (!(decoded instanceof Map<?, ?> body)) {
            throw new MalformedControlRequestException("its body is not a JSON object");
        }
        if (!(body.get("method") instanceof String method)) {
            throw new MalformedControlRequestException("its method is missing or not a string");
        }
        Object args = body.get("arguments");
        if (args != null && !(args instanceof Map)) {
            throw new MalformedControlRequestException("the arguments of '" + method + "' are not an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> arguments = (Map<String, Object>) args;
        List<String> destination = null;
        Object d = body.get("destination");
        if (d instanceof List<?> list && !list.isEmpty()) {
            destination = new ArrayList<>();
            for (Object o : list) {
                if (!(o instanceof String s)) {
                    throw new MalformedControlRequestException("its destination holds " + o + ", not a node name");
                }
                destination.add(s);
            }
        } else if (d != null && !(d instanceof List)) {
            throw new MalformedControlRequestException("its destination is not a list of node names");
        }
        String ticket = optionalString(body, "ticket");
        ReplyTo replyTo = null;
        Object r = body.get("reply_to");
        if (r instanceof Map<?, ?> rm) {
            if (!(rm.get("exchange") instanceof String ex) || !(rm.get("routing_key") instanceof String key)) {
                throw new MalformedControlRequestException("its reply_to needs the strings exchange and routing_key");
            }
            replyTo = new ReplyTo(ex, key);
        } else if (r != null) {
            throw new MalformedControlRequestException("its reply_to is not an object");
        }
        return new ControlRequest(method, arguments, destination, optionalString(body, "pattern"),
                optionalString(body, "matcher"), replyTo == null ? null : ticket == null ? "" : ticket, replyTo);
    }

    private static String optionalString(Map<?, ?> body, String key) {
        Object v = body.get(key);
        if (v != null && !(v instanceof String)) {
            throw new MalformedControlRequestException("its " + key + " is not a string");
        }
        return (String) v;
    }
}
