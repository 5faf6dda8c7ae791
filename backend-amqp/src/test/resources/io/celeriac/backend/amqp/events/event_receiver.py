# Celery's own EventReceiver + State on a RabbitMQ broker: event_receiver.py BROKER_URL COUNT READY_FILE
# Declares its queue (celeryev.<uuid>, bound with '#'), touches READY_FILE, prints every event it receives as one
# JSON line, stops after COUNT events (or 60 s without any), then prints 'STATE <json>' with what State made of them.
import json
import sys

from celery import Celery
from celery.events.state import State

app = Celery('rx', broker=sys.argv[1])
count = int(sys.argv[2])
state = State()
seen = []


def on_event(event):
    print(json.dumps(event), flush=True)  # as received, before State adds its own keys to the dict
    state.event(event)
    seen.append(event)
    if len(seen) >= count:
        recv.should_stop = True


with app.connection() as conn:
    recv = app.events.Receiver(conn, handlers={'*': on_event})
    recv.queue(conn.default_channel).declare()
    open(sys.argv[3], 'w').close()
    recv.capture(limit=None, timeout=60, wakeup=False)

summary = {
    'workers': {h: {'alive': w.alive, 'processed': w.processed, 'active': w.active, 'freq': w.freq,
                    'sw_ident': w.sw_ident, 'heartbeats': len(w.heartbeats)}
                for h, w in state.workers.items()},
    'tasks': {u: {'state': t.state, 'name': t.name, 'result': t.result, 'exception': t.exception,
                  'worker': t.worker.hostname if t.worker else None, 'client': t.client, 'runtime': t.runtime}
              for u, t in state.tasks.items()},
    'event_count': state.event_count,
}
print('STATE ' + json.dumps(summary), flush=True)
