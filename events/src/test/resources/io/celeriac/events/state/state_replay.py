"""Replays event streams into Python Celery's own celery.events.state.State and prints the result.

Usage: state_replay.py CASES.json (appended to the kit's celery_state.py, which defines FixedState and dump)

CASES.json is a list of cases: {"name": str, "max_workers": int, "max_tasks": int, "now": float,
"events": [event dict | {"__op__": "clear", "ready": bool} | {"__op__": "clear_tasks", "ready": bool}]}.
For each case one JSON line is printed: {"name": ..., "stock": DUMP, "fixed": DUMP}: "stock" is Celery's
State as installed, "fixed" the kit's FixedState.
"""
import json
import sys

from celery.events.state import State


def replay(cls, case):
    state = cls(max_workers_in_memory=case['max_workers'], max_tasks_in_memory=case['max_tasks'])
    rejected = 0
    for ev in case['events']:
        op = ev.get('__op__')
        if op == 'clear':
            state.clear(ready=ev['ready'])
        elif op == 'clear_tasks':
            state.clear_tasks(ready=ev['ready'])
        else:
            try:
                state.event(json.loads(json.dumps(ev)))  # a private copy: State mutates event dicts
            except KeyError:
                rejected += 1
    return dump(state, case['now'], rejected)


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    for case in cases:
        out = {'name': case['name'], 'stock': replay(State, case), 'fixed': replay(FixedState, case)}
        print(json.dumps(out))


if __name__ == '__main__':
    main()
