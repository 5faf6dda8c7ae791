# Drives a Java worker from Python Celery: every scenario's outcome is printed as one JSON object on the last line.
import datetime
import faulthandler
import json
import os
import threading
import time
import uuid

from celery import chain, chord
from celery.events.state import State

from wproj import app

# a hang shows where Python waits (every thread's stack on stderr) before the harness's 4-minute limit ends it
faulthandler.dump_traceback_later(200, exit=True)

NODE = os.environ['CELERIAC_JAVA_NODE']
CHORDS = os.environ.get('CELERIAC_CHORDS', '1') == '1'
W = 30
out = {}
state = State()
stop = threading.Event()


def listen():
    with app.connection_for_read() as conn:
        recv = app.events.Receiver(conn, handlers={'*': state.event})
        while not stop.is_set():
            try:
                recv.capture(limit=None, timeout=0.5, wakeup=False)
            except Exception:
                pass


listener = threading.Thread(target=listen, daemon=True)
listener.start()
time.sleep(1.0)


def run(name, fn):
    try:
        out[name] = {'ok': fn()}
    except Exception as e:
        out[name] = {'error': type(e).__name__, 'module': type(e).__module__, 'message': str(e)}


def t(name, *args, **opts):
    return app.send_task(name, args=args, **opts)


now = lambda: datetime.datetime.now(datetime.timezone.utc)

run('add', lambda: t('t.add', 2, 3).get(timeout=W))
run('delay', lambda: app.signature('t.add', args=(20, 22)).delay().get(timeout=W))
run('kwargs', lambda: t('t.concat', 'a', kwargs={'b': 'b'}).get(timeout=W))
run('value_error', lambda: t('t.value_error', 'bad input').get(timeout=W))
run('custom_error', lambda: t('t.custom_error').get(timeout=W))
run('runtime_error', lambda: t('t.java_error').get(timeout=W))
run('unknown', lambda: t('t.nobody_knows').get(timeout=W))
run('retry', lambda: t('t.retry', kwargs={'until': 2}).get(timeout=W))
run('max_retries', lambda: t('t.retry_forever').get(timeout=W))


def countdown():
    r = t('t.add', 1, 1, countdown=1)
    first = r.state
    return [first, r.get(timeout=W)]


run('countdown', countdown)
run('eta', lambda: t('t.add', 2, 2, eta=now() + datetime.timedelta(seconds=1)).get(timeout=W))


def expired():
    r = t('t.add', 1, 1, expires=now() - datetime.timedelta(seconds=10))
    try:
        return r.get(timeout=W)
    finally:
        out['expired_state'] = r.state


run('expired', expired)
run('soft', lambda: t('t.sleep', 30, soft_time_limit=0.3).get(timeout=W))
run('soft_caught', lambda: t('t.loop', 30, soft_time_limit=0.3).get(timeout=W))
run('hard', lambda: t('t.stuck', 3, time_limit=0.3).get(timeout=W))


def revoke_before():
    tid = str(uuid.uuid4())
    out['revoke_reply'] = app.control.revoke(tid, destination=[NODE], reply=True, timeout=5)
    r = t('t.add', 1, 2, task_id=tid)
    out['revoked_ids'] = (app.control.inspect(destination=[NODE], timeout=5).revoked() or {}).get(NODE)
    out['revoked_id'] = tid
    try:
        return r.get(timeout=W)
    finally:
        out['revoke_before_state'] = r.state


run('revoke_before', revoke_before)


def terminate():
    key = str(uuid.uuid4())
    r = t('t.block', key)
    deadline = time.time() + W
    while time.time() < deadline:
        act = app.control.inspect(destination=[NODE], timeout=1).active() or {}
        if any(x['id'] == r.id for x in act.get(NODE, [])):
            out['active_seen'] = True
            break
        time.sleep(0.1)
    out['terminate_reply'] = app.control.revoke(r.id, terminate=True, destination=[NODE], reply=True, timeout=5)
    try:
        return r.get(timeout=W)
    finally:
        out['terminate_state'] = r.state


run('terminate', terminate)
run('chain', lambda: chain(app.signature('py.mul', args=(2, 3)), app.signature('t.add', args=(4,)),
                           app.signature('py.mul', args=(10,))).apply_async().get(timeout=W))


def link_error():
    eb = app.signature('py.errback')
    eb.freeze()
    r = t('t.value_error', 'no', link_error=eb)
    try:
        r.get(timeout=W)
    except Exception:
        pass
    return [r.id, app.AsyncResult(eb.id).get(timeout=W)]


run('link_error', link_error)
if CHORDS:
    run('chord_py_body', lambda: chord([app.signature('t.add', args=(1, 1)), app.signature('py.mul', args=(2, 2)),
                                        app.signature('t.add', args=(3, 3))],
                                       app.signature('py.tsum'))().get(timeout=W))
    run('chord_java_body', lambda: chord([app.signature('py.mul', args=(1, 5)), app.signature('t.add', args=(2, 3))],
                                         app.signature('t.sum'))().get(timeout=W))

insp = app.control.inspect(destination=[NODE], timeout=5)
out['ping'] = insp.ping()
out['registered'] = insp.registered()
out['stats_keys'] = sorted((insp.stats() or {}).get(NODE, {}).keys())

deadline = time.time() + 10
while time.time() < deadline:
    w = state.workers.get(NODE)
    if w is not None and w.alive and len(state.tasks) > 0:
        break
    time.sleep(0.2)
stop.set()
w = state.workers.get(NODE)
out['state_worker'] = None if w is None else {'alive': w.alive, 'processed': w.processed, 'freq': w.freq}
out['state_tasks'] = {tid: [task.name, task.state] for tid, task in list(state.tasks.items())}
print(json.dumps(out, default=str))
