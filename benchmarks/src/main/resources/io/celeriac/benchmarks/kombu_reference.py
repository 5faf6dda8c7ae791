"""kombu's figures for celeriac's load harness: the harness's broker work done by kombu, as Celery drives it.

Written to a temporary directory and run by the harness with /usr/bin/python3; prints one JSON object.

  broker QUEUE SECONDS BODY KEYPREFIX CONFIRM     (the broker URL in the environment: BENCH_BROKER_URL)

One thread, one connection. It declares QUEUE (durable, no exchange: Celery's task queues are published to
through the default exchange with the queue's name as routing key), then:

  publish          publishes a Celery protocol-2 task message (BODY, with the headers and properties Celery
                   5.2 sends, a fresh task id each) for SECONDS, as Celery's send_task does
                   (Producer.publish with retry=True), messages/s
  consume          drains QUEUE with a consumer of prefetch 100 that acks every message (on_message, the body
                   left undecoded as Celery's worker does) for SECONDS or until the queue is empty, messages/s
  publish_confirm  (CONFIRM=1, RabbitMQ only) publish again on a connection with the transport option
                   confirm_publish=True, so that each publish waits for the broker's confirm, messages/s

then purges QUEUE. KEYPREFIX is Redis's global_keyprefix transport option ('' for none). The caller deletes
QUEUE afterwards.
"""
import json
import os
import socket
import sys
import time
import uuid

PREFETCH = 100


def task_message(body_args_repr):
    tid = str(uuid.uuid4())
    headers = {
        'lang': 'py', 'task': 'bench.task', 'id': tid, 'shadow': None, 'eta': None, 'expires': None,
        'group': None, 'group_index': None, 'retries': 0, 'timelimit': [None, None], 'root_id': tid,
        'parent_id': None, 'argsrepr': body_args_repr, 'kwargsrepr': '{}', 'origin': ORIGIN,
        'ignore_result': False,
    }
    return tid, headers


ORIGIN = 'gen%d@%s' % (os.getpid(), socket.gethostname())
REPLY_TO = str(uuid.uuid4())


def publish(conn, queue, seconds, body, args_repr):
    producer = conn.Producer()
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        tid, headers = task_message(args_repr)
        producer.publish(body, exchange='', routing_key=queue, headers=headers,
                         content_type='application/json', content_encoding='utf-8', correlation_id=tid,
                         reply_to=REPLY_TO, delivery_mode=2, priority=0, retry=True)
        n += 1
    return n / (time.perf_counter() - t0)


def consume(conn, q, seconds):
    state = {'n': 0, 'last': None}

    def on_message(message):
        message.ack()
        state['n'] += 1
        state['last'] = time.perf_counter()

    with conn.Consumer([q], on_message=on_message, prefetch_count=PREFETCH):
        t0 = time.perf_counter()
        end = t0 + seconds
        stopped = end
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                break
            try:
                conn.drain_events(timeout=min(1.0, left))
            except socket.timeout:
                if time.perf_counter() < end:  # the queue is empty: it was drained before the time was up
                    stopped = state['last'] or time.perf_counter()
                    break
        if state['n'] == 0:
            raise SystemExit('the consumer received nothing')
        return state['n'] / (min(stopped, time.perf_counter()) - t0)


def broker(url, queue, seconds, body, keyprefix, confirm):
    from kombu import Connection, Queue
    options = {'global_keyprefix': keyprefix} if keyprefix else {}
    args_repr = repr(tuple(json.loads(body)[0]))
    out = {}
    with Connection(url, transport_options=options) as conn:
        q = Queue(queue, durable=True)
        q(conn.default_channel).declare()
        publish(conn, queue, seconds / 4, body, args_repr)  # warm-up
        q(conn.default_channel).purge()
        out['publish'] = publish(conn, queue, seconds, body, args_repr)
        out['consume'] = consume(conn, q, seconds)
        q(conn.default_channel).purge()
    if confirm:
        with Connection(url, transport_options=dict(options, confirm_publish=True)) as conn:
            q = Queue(queue, durable=True)
            out['publish_confirm'] = publish(conn, queue, seconds, body, args_repr)
            q(conn.default_channel).purge()
    return out


def main():
    mode = sys.argv[1]
    if mode == 'broker':
        # the URL travels in the environment, never on the command line (it may hold a password)
        out = broker(os.environ['BENCH_BROKER_URL'], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5],
                     sys.argv[6] == '1')
    else:
        raise SystemExit('unknown mode ' + mode)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
