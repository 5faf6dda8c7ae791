"""Python Celery's own figures for celeriac's load harness: the same operations through Celery's own code.

Written to a temporary directory and run by the harness with /usr/bin/python3; prints one JSON object.

  backend URL SECONDS PREFIX [SCHEMA]  store_result and get_task_meta ops/s (one thread), get_many of
                                       10,000 ready ids in ms (key-value backends only)
  state FILE ROUNDS                    celery.events.state.State().event over the JSON-lines stream, events/s
  statedb DIR IDS ROUNDS               celery.worker.state.Persistent sync and open+merge of IDS revoked ids
  send QUEUE SECONDS                   app.send_task('proj.add', (2, 3)) to QUEUE on $BENCH_BROKER_URL, tasks/s
"""
import json
import os
import random
import sys
import time
import uuid

RESULT = 'x' * 48
GET_MANY = 10000


def backend(url, seconds, prefix, schema=None):
    from celery import Celery
    conf = {}
    if schema:
        conf['database_table_schemas'] = {'task': schema, 'group': schema}

    def new_app():
        app = Celery('bench', backend=url, broker='memory://')
        app.conf.update(conf)
        return app

    b = new_app().backend
    out = {}
    # warm-up: connections, table creation
    for i in range(200):
        b.store_result('%swarm-%d' % (prefix, i), RESULT, 'SUCCESS')
        b.get_task_meta('%swarm-%d' % (prefix, i), cache=False)
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        b.store_result('%ss-%d' % (prefix, n), RESULT, 'SUCCESS')
        n += 1
    out['store'] = n / (time.perf_counter() - t0)
    stored = n
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        m = b.get_task_meta('%ss-%d' % (prefix, random.randrange(stored)), cache=False)
        if m['status'] != 'SUCCESS':
            raise SystemExit('read %r' % (m,))
        n += 1
    out['get'] = n / (time.perf_counter() - t0)
    if hasattr(b, 'get_many') and hasattr(b, 'mget'):
        ids = ['%sm-%d' % (prefix, i) for i in range(GET_MANY)]
        for i in ids:
            b.store_result(i, RESULT, 'SUCCESS')
        times = []
        for _ in range(3):
            fresh = new_app().backend  # an empty result cache, as after a restart
            t0 = time.perf_counter()
            got = dict(fresh.get_many(ids, timeout=60))
            times.append((time.perf_counter() - t0) * 1000)
            if len(got) != GET_MANY:
                raise SystemExit('get_many returned %d' % len(got))
        out['get_many_ms'] = sorted(times)[1]
    return out


def state(path, rounds):
    from celery.events.state import State
    with open(path) as f:
        events = [json.loads(line) for line in f]
    rates = []
    for _ in range(rounds):
        batch = [dict(e) for e in events]  # State mutates the event dicts
        st = State()
        t0 = time.perf_counter()
        for e in batch:
            st.event(e)
        rates.append(len(batch) / (time.perf_counter() - t0))
    return {'events_per_s': rates, 'events': len(events)}


def statedb(directory, ids, rounds):
    from celery.utils.collections import LimitedSet
    from celery.worker import state as ws
    from kombu.clocks import LamportClock
    path = os.path.join(directory, 'celery.state')
    ws.revoked = LimitedSet(maxlen=max(ids, ws.REVOKES_MAX), expires=ws.REVOKE_EXPIRES)
    for _ in range(ids):
        ws.revoked.add(str(uuid.uuid4()))
    clock = LamportClock()
    p = ws.Persistent(ws, path, clock)
    syncs = []
    for _ in range(rounds + 1):
        t0 = time.perf_counter()
        p.sync()
        syncs.append((time.perf_counter() - t0) * 1000)
    p.close()
    size = sum(os.path.getsize(os.path.join(directory, f)) for f in os.listdir(directory))
    merges = []
    for _ in range(rounds + 1):
        ws.revoked.clear()
        t0 = time.perf_counter()
        q = ws.Persistent(ws, path, LamportClock())
        merges.append((time.perf_counter() - t0) * 1000)
        if len(ws.revoked) != ids:
            raise SystemExit('merged %d ids' % len(ws.revoked))
        q.close()
    return {'sync_ms': syncs[1:], 'merge_ms': merges[1:], 'size': size}


def send(queue, seconds):
    from celery import Celery
    app = Celery('bench', broker=os.environ['BENCH_BROKER_URL'])
    app.conf.task_default_queue = queue
    for _ in range(200):  # warm-up: connection, queue declaration
        app.send_task('proj.add', (2, 3))
    n = 0
    t0 = time.perf_counter()
    end = t0 + seconds
    while time.perf_counter() < end:
        app.send_task('proj.add', (2, 3))
        n += 1
    out = {'send': n / (time.perf_counter() - t0)}
    app.close()
    return out


def roundtrip(queue, count):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from benchproj import app
    app.conf.task_default_queue = queue
    for _ in range(20):  # warm-up: connections, the result consumer
        app.send_task('proj.add', (2, 3)).get(timeout=60)
    lat = []
    for _ in range(count):
        t0 = time.perf_counter()
        if app.send_task('proj.add', (2, 3)).get(timeout=60) != 5:
            raise SystemExit('proj.add(2, 3) is not 5')
        lat.append((time.perf_counter() - t0) * 1000)
    lat.sort()
    out = {'p50': lat[len(lat) // 2], 'p99': lat[min(len(lat) - 1, int(len(lat) * 0.99))]}
    app.close()
    return out


def main():
    mode = sys.argv[1]
    if mode == 'backend':
        out = backend(sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else None)
    elif mode == 'state':
        out = state(sys.argv[2], int(sys.argv[3]))
    elif mode == 'statedb':
        out = statedb(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == 'send':
        out = send(sys.argv[2], float(sys.argv[3]))
    elif mode == 'roundtrip':
        out = roundtrip(sys.argv[2], int(sys.argv[3]))
    else:
        raise SystemExit('unknown mode ' + mode)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
