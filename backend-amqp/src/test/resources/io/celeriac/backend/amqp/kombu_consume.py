# Consumes n messages from a queue the Java test declared, with kombu's pyamqp transport, acknowledges them, and
# prints one JSON list: per message its headers, the Python type of each header value, its properties, its
# delivery info and its body as text. Usage: kombu_consume.py <broker_url> <queue> <n>
import json
import sys

from kombu import Connection, Consumer, Queue

url, qname, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
out = []


def kinds(v):
    if isinstance(v, list):
        return [kinds(x) for x in v]
    if isinstance(v, dict):
        return {k: kinds(x) for k, x in v.items()}
    return type(v).__name__


def on_message(body, message):
    props = message.properties
    out.append({
        'headers': message.headers,
        'kinds': kinds(message.headers),
        'properties': {k: props.get(k) for k in ('content_type', 'content_encoding', 'delivery_mode', 'priority',
                                                'correlation_id', 'reply_to', 'expiration', 'message_id')},
        'present': sorted(k for k in props if props.get(k) is not None),
        'delivery_info': {k: message.delivery_info.get(k) for k in ('exchange', 'routing_key', 'redelivered')},
        'body': message.body if isinstance(message.body, str) else message.body.decode('utf-8'),
        'decoded': body,
    })
    message.ack()


with Connection(url) as conn:
    queue = Queue(qname, no_declare=True)
    with Consumer(conn, [queue], callbacks=[on_message], accept=['json']):
        while len(out) < n:
            conn.drain_events(timeout=30)
print(json.dumps(out))
