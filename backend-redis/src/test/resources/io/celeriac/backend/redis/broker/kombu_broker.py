"""The Python side of the Redis broker interop test (Celery 5.2.6, kombu 5.2.4).

    kombu_broker.py send_tasks <broker url> <queue>   Celery sends every variant of a task message, and canvases,
                                                       to <queue> (no worker runs); prints their ids as JSON
    kombu_broker.py publish <broker url> <spec file>   kombu's Producer publishes the messages of the spec
    kombu_broker.py consume <broker url> <queue> <n>   kombu consumes n messages (and acknowledges them); prints one
                                                       JSON line per message, as kombu sees it
"""
import base64
import datetime
import json
import sys
import time

from celery import Celery, chain, chord, group
from kombu import Connection, Queue


def send_tasks(url, queue):
    app = Celery('proj', broker=url, backend=url)
    app.conf.task_default_queue = queue

    @app.task(name='proj.add')
    def add(x, y, z=0):
        return x + y + z

    @app.task(name='proj.tsum')
    def tsum(nums):
        return sum(nums)

    ids = {}
    ids['basic'] = app.send_task('proj.add', args=(2, 3), kwargs={'z': 1}, queue=queue).id
    ids['countdown'] = app.send_task('proj.add', args=(1, 1), countdown=10, queue=queue).id
    ids['eta'] = app.send_task('proj.add', args=(1, 2), queue=queue,
                               eta=datetime.datetime(2031, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)).id
    ids['expires'] = app.send_task('proj.add', args=(1, 3), expires=60, queue=queue).id
    ids['priority'] = app.send_task('proj.add', args=(1, 4), priority=5, queue=queue).id
    ids['headers'] = app.send_task('proj.add', args=('\u00e9', '\u2713'), headers={'x-custom': 'v1', 'x-n': 2 ** 40},
                                   queue=queue, time_limit=30, soft_time_limit=20, shadow='add-shadow',
                                   ignore_result=True).id
    ids['link'] = app.send_task('proj.add', args=(2, 3), link=add.s(10),
                                link_error=app.signature('proj.tsum', args=([1],), immutable=True), queue=queue).id
    c = (add.s(1, 2) | add.s(3) | add.s(4)).apply_async(queue=queue)
    ids['chain'] = c.parent.parent.id
    ids['chain_last'] = c.id
    g = group(add.s(1, 1), add.s(2, 2)).apply_async(queue=queue)
    ids['group'] = g.id
    ids['group_members'] = [r.id for r in g.results]
    ch = chord([add.s(i, i) for i in range(3)], tsum.s()).apply_async(queue=queue)
    ids['chord_body'] = ch.id
    ids['chord_members'] = [r.id for r in ch.parent.results]
    ids['chord_group'] = ch.parent.id
    print(json.dumps(ids))


def publish(url, spec_file):
    with open(spec_file) as f:
        spec = json.load(f)
    with Connection(url) as conn:
        producer = conn.Producer(serializer='json', auto_declare=False)
        for m in spec:
            props = {}
            for name in ('correlation_id', 'reply_to', 'message_id', 'timestamp', 'type', 'user_id', 'app_id'):
                if name in m:
                    props[name] = m[name]
            producer.publish(base64.b64decode(m['body']), exchange=m.get('exchange', ''), routing_key=m['routing_key'],
                             content_type=m['content_type'], content_encoding=m['content_encoding'],
                             headers=m['headers'], priority=m['priority'], delivery_mode=m['delivery_mode'],
                             expiration=m.get('expiration_seconds'), **props)


def consume(url, queue, n):
    seen = []

    def on_message(message):
        seen.append({
            'headers': message.headers,
            'properties': message.properties,
            'delivery_info': message.delivery_info,
            'body': base64.b64encode(message.body).decode('ascii'),
            'content_type': message.content_type,
            'content_encoding': message.content_encoding,
            'delivery_tag': message.delivery_tag,
        })
        message.ack()

    with Connection(url) as conn:
        with conn.Consumer(Queue(queue, no_declare=True), on_message=on_message, no_ack=False):
            deadline = time.time() + 60
            while len(seen) < n and time.time() < deadline:
                try:
                    conn.drain_events(timeout=1)
                except Exception as e:  # socket.timeout: nothing yet
                    if 'timed out' not in str(e) and type(e).__name__ not in ('timeout', 'TimeoutError'):
                        raise
    for s in seen:
        print(json.dumps(s))
    if len(seen) < n:
        sys.exit('only %d of %d messages arrived' % (len(seen), n))


if __name__ == '__main__':
    command = sys.argv[1]
    if command == 'send_tasks':
        send_tasks(sys.argv[2], sys.argv[3])
    elif command == 'publish':
        publish(sys.argv[2], sys.argv[3])
    elif command == 'consume':
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit('unknown command ' + command)
