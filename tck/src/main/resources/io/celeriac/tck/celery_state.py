"""celeriac's support for comparing an EventState with Python Celery's own celery.events.state.State.

Python text shipped in the conformance kit (io/celeriac/tck/celery_state.py); Java tests prepend it to their
scripts with CeleryStateComparison.pythonSupport(). It defines:

* FixedState (with FixedWorker and FixedTask): Celery 5.2.6's State with celeriac's documented fixes, written
  here from their description (the dispatcher is Celery's own). A celeriac EventState must equal it exactly.
* dump(state, now, rejected): a JSON-ready description of a State (workers, tasks with every field, memory
  order, the time index, by-type and by-worker indexes, task types, alive workers at `now`, counters), the
  same shape as CeleryStateComparison.dump(EventState, rejected) builds in Java.
"""
import bisect
import gc
import json
import sys

from celery import states
from celery.events.state import State, Task, Worker, TASK_EVENT_TO_STATE

MERGE_FIELDS = ('name', 'args', 'kwargs', 'parent_id', 'root_id', 'retries', 'eta', 'expires')
# event fields the state does not copy onto a task in celeriac (the envelope, and what the dispatcher sets)
SKIP_FIELDS = {'uuid', 'type', 'hostname', 'utcoffset', 'pid', 'local_received', 'timestamp', 'clock',
               'state', 'worker', 'client', 'children', 'root', 'parent'}
# attributes of a Task that are neither Celery's fields nor copied event fields
INTERNAL_ATTRS = {'cluster_state', '_serializer_handlers', '_worker', '_incoming_worker'}


class FixedWorker(Worker):
    """Worker with celeriac's fixes: the task path's heartbeat gets the receive time, and a full
    heartbeat list keeps the 4 latest times."""

    def _create_event_handler(self):
        def event(type_, timestamp=None, local_received=None, fields=None):
            if type_ is None:
                # State's task path calls worker.event(None, local_received, timestamp): swapped.
                timestamp, local_received = local_received, timestamp
            for key, value in (fields or {}).items():
                setattr(self, key, value)
            if type_ == 'offline':
                self.heartbeats[:] = []
                return
            if not local_received or not timestamp:
                return
            beats = self.heartbeats
            if len(beats) >= self.heartbeat_max:
                if local_received < beats[0]:
                    return
                del beats[0]
            bisect.insort(beats, local_received)
        return event


class FixedTask(Task):
    """Task with celeriac's fixes: a late event only fills fields the task does not have yet (a late
    task-received only its merge fields), including its subject time and its worker; a late RETRY does not
    move a finished task back; REJECTED, like RETRY, follows any unfinished state."""

    @property
    def worker(self):
        return self.__dict__.get('_worker')

    @worker.setter
    def worker(self, value):
        # the dispatcher sets task.worker before task.event(): decide in event()
        self.__dict__['_incoming_worker'] = value

    def event(self, type_, timestamp=None, local_received=None, fields=None):
        fields = fields or {}
        incoming = self.__dict__.pop('_incoming_worker', None)
        state = TASK_EVENT_TO_STATE.get(type_)
        known = state is not None
        if not known:
            state = type_.upper()
        current = self.state
        if state in (states.RETRY, states.REJECTED):
            late = current in states.READY_STATES
        elif current == states.RETRY:
            late = False
        else:
            late = states.precedence(state) > states.precedence(current)
        if known and (not late or getattr(self, type_) is None):
            setattr(self, type_, timestamp)
        if not late:
            for key, value in fields.items():
                if key not in SKIP_FIELDS:
                    self.__dict__[key] = value
            self.state = state
            self.timestamp = timestamp
            self.clock = fields.get('clock')
        else:
            only = MERGE_FIELDS if type_ == 'received' else None
            for key, value in fields.items():
                if key in SKIP_FIELDS or (only is not None and key not in only):
                    continue
                if value is not None and getattr(self, key, None) is None:
                    self.__dict__[key] = value
        if incoming is not None and (not late or self.worker is None):
            self.__dict__['_worker'] = incoming


class FixedState(State):
    """State with FixedWorker/FixedTask; clear() rebuilds the time index and recomputes the task types."""
    Worker = FixedWorker
    Task = FixedTask

    def _clear_tasks(self, ready=True):
        super()._clear_tasks(ready)
        self.rebuild_taskheap()

    def _clear(self, ready=True):
        super()._clear(ready)
        self._seen_types.clear()
        self._seen_types.update(t.name for t in self.tasks.values() if t.name)


def dump(state, now, rejected):
    gc.collect()  # Task objects sit in reference cycles: make evicted ones really go
    workers = {}
    for hostname, w in state.workers.items():
        d = {f: getattr(w, f) for f in Worker._fields}
        d['heartbeats'] = list(w.heartbeats)
        expires = w.heartbeat_expires if w.heartbeats else None
        d['alive'] = bool(w.heartbeats) and now < expires
        d['heartbeat_expires'] = expires
        d['id'] = w.id
        workers[hostname] = d
    tasks = {}
    for uuid, t in state.tasks.items():
        d = t.as_dict()
        d['state'] = str(d['state'])
        d['worker'] = t.worker.hostname if t.worker is not None else None
        d['children'] = sorted(d['children'])
        d['extra'] = {k: v for k, v in t.__dict__.items()
                      if k not in Task._fields and k not in SKIP_FIELDS and k not in INTERNAL_ATTRS}
        tasks[uuid] = d
    by_time = [uuid for uuid, _ in state.tasks_by_time()]
    names = sorted({t.name for t in state.tasks.values() if t.name})
    hosts = sorted({t.worker.hostname for t in state.tasks.values() if t.worker is not None})
    return {
        'event_count': state.event_count,
        'task_count': state.task_count,
        'rejected': rejected,
        'workers': workers,
        'worker_order': list(state.workers.keys()),
        'tasks': tasks,
        'task_order': list(state.tasks.keys()),
        'tasks_by_time': by_time,
        'tasks_by_type': {n: [u for u, _ in state.tasks_by_type(n)] for n in names},
        # Celery's tasks_by_worker(host) raises AttributeError on tasks without a worker: filter by hand
        'tasks_by_worker': {h: [u for u, t in state.tasks_by_time()
                                if t.worker is not None and t.worker.hostname == h] for h in hosts},
        'task_types': state.task_types(),
        'alive_workers': sorted(h for h, d in workers.items() if d['alive']),
    }


