/**
 * Celery's remote control ("pidbox", {@code kombu/pidbox.py}) on any {@link io.celeriac.broker.Broker}: the
 * request and reply messages exactly as kombu 5.2 puts them on the wire, the client side that broadcasts a command
 * and gathers the nodes' replies ({@link io.celeriac.control.Mailbox}), and the node side that a worker runs to
 * answer them ({@link io.celeriac.control.ControlNode} with a {@link io.celeriac.control.ControlHandler}).
 *
 * <p>Requests go to the fanout exchange {@code celery.pidbox}; every node consumes it through its own queue
 * {@code <nodename>.celery.pidbox}, keeps the requests meant for it (a {@code destination} list, or a
 * {@code pattern} with a {@code glob} or {@code pcre} matcher) and answers to the reply exchange
 * {@code reply.celery.pidbox} with the client's id as routing key, so that a client's queue
 * {@code <oid>.reply.celery.pidbox} receives the answers, matched to its request by the {@code ticket} header.
 * Python Celery's {@code celery inspect} / {@code celery control} and its workers talk to these classes both ways,
 * on Redis and on RabbitMQ.
 */
package io.celeriac.control;
