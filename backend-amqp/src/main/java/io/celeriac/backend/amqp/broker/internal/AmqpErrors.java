package io.celeriac.backend.amqp.broker.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.AuthenticationFailureException;
import com.rabbitmq.client.PossibleAuthenticationFailureException;
import com.rabbitmq.client.ShutdownSignalException;
import io.celeriac.broker.BrokerRefusedException;
import io.celeriac.broker.BrokerUnavailableException;
import io.celeriac.broker.DeclarationConflictException;
import io.celeriac.broker.ExchangeNotFoundException;
import io.celeriac.broker.QueueNotFoundException;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns amqp-client's exceptions into the broker model's typed errors. */
final class AmqpErrors {

    private static final Pattern NOT_FOUND = Pattern.compile("no (queue|exchange) '(.*)' in vhost");

    private AmqpErrors() {
    }

    /** The shutdown signal in an exception's causes, or null. */
    static ShutdownSignalException signal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException s) {
                return s;
            }
        }
        return null;
    }

    /** The broker's reply code and text of a channel or connection close, or the exception's message. */
    static String brokerText(Throwable e) {
        ShutdownSignalException s = signal(e);
        if (s != null && s.getReason() instanceof AMQP.Channel.Close c) {
            return c.getReplyCode() + " " + c.getReplyText();
        }
        if (s != null && s.getReason() instanceof AMQP.Connection.Close c) {
            return c.getReplyCode() + " " + c.getReplyText();
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** The channel-level reply code of a failure, or -1 when the failure was not a channel close. */
    static int channelCode(Throwable e) {
        ShutdownSignalException s = signal(e);
        if (s != null && !s.isHardError() && s.getReason() instanceof AMQP.Channel.Close c) {
            return c.getReplyCode();
        }
        return -1;
    }

    /** Whether the failure means the connection is gone (lost, closed, not yet recovered). */
    static boolean connectionLost(Throwable e) {
        ShutdownSignalException s = signal(e);
        return s == null || s.isHardError() || e instanceof AlreadyClosedException && channelCode(e) < 0;
    }

    /**
     * The typed error of an operation that failed.
     *
     * @param uri the masked broker URI
     * @param operation e.g. {@code declare queue 'x'}
     * @param declaration whether the operation declared something (a 406 is then a conflict)
     * @param e the failure
     * @return the exception to throw
     */
    static RuntimeException operation(String uri, String operation, boolean declaration, Exception e) {
        int code = channelCode(e);
        String text = brokerText(e);
        if (code == 404) {
            Matcher m = NOT_FOUND.matcher(text);
            if (m.find()) {
                return m.group(1).equals("queue") ? new QueueNotFoundException(uri, m.group(2))
                        : new ExchangeNotFoundException(uri, m.group(2));
            }
        }
        if (code == 406 && declaration || code == 405 && declaration) {
            return new DeclarationConflictException(uri, operation.replaceFirst("^declare ", ""), text);
        }
        if (code > 0) {
            return new BrokerRefusedException(uri, operation, text, e);
        }
        return new BrokerUnavailableException(uri, "the connection is lost (" + text + ")", e);
    }

    /** The exchange named by a 404 close, or null. */
    static String missingExchange(Throwable e) {
        if (channelCode(e) != 404) {
            return null;
        }
        Matcher m = NOT_FOUND.matcher(brokerText(e));
        return m.find() && m.group(1).equals("exchange") ? m.group(2) : null;
    }

    /** Why a connection could not be opened, with no credentials in it. */
    static String connectFailure(Throwable e) {
        if (e instanceof AuthenticationFailureException || e instanceof PossibleAuthenticationFailureException) {
            return "authentication failed (user or password refused)";
        }
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        if (e instanceof SocketTimeoutException || e instanceof TimeoutException) {
            return "timed out";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed: " + e.getMessage();
        }
        ShutdownSignalException s = signal(e);
        if (s != null) {
            return "the broker closed the connection: " + brokerText(s);
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
