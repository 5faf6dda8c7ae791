"""Python Celery's own EventReceiver and State on the test's broker.

argv: broker URL, work directory, worker hostname to wait for. Writes receiver.ready when it hears its first
celeriac-probe event (such events are not fed to the state), mid.json when the file 'mid' appears, and
final.json once the file 'stop' exists and the worker's worker-offline was seen. The dumps are
dump(state, now, rejected) of the kit's celery_state.py, prepended to this script.
"""
import json
import os
import sys
import threading
import time

from celery import Celery

broker, workdir, hostname = sys.argv[1], sys.argv[2], sys.argv[3]
app = Celery(broker=broker)
state = FixedState()
lock = threading.Lock()
offline = threading.Event()


def path(name):
    return os.path.join(workdir, name)


def write(name):
    with lock:
        text = json.dumps(dump(state, time.time(), 0), default=str)
    tmp = path(name + '.tmp')
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path(name))


def on_event(event):
    if event.get('type') == 'celeriac-probe':
        if not os.path.exists(path('receiver.ready')):
            open(path('receiver.ready'), 'w').close()
        return
    with lock:
        state.event(event)
    if event.get('type') == 'worker-offline' and event.get('hostname') == hostname:
        offline.set()


def consume():
    with app.connection() as conn:
        recv = app.events.Receiver(conn, handlers={'*': on_event})
        recv.capture(limit=None, timeout=None, wakeup=False)


threading.Thread(target=consume, daemon=True).start()
deadline = time.time() + 170
mid_written = False
while time.time() < deadline:
    if not mid_written and os.path.exists(path('mid')):
        write('mid.json')
        mid_written = True
    if os.path.exists(path('stop')) and (offline.is_set() or hostname == '-'):
        write('final.json')
        break
    time.sleep(0.05)
