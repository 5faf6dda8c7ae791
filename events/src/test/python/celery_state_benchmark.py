"""Celery's own figure for the EventState benchmark: feeds the stream EventStateBenchmark writes
(--write-jsonl FILE) into celery.events.state.State and prints events/s.

Usage: /usr/bin/python3 celery_state_benchmark.py FILE [rounds]

The events are decoded first (json.loads, not timed); each round copies them (not timed, State mutates
event dicts) and times State().event over all of them, with Celery's default limits, by the wall clock
and by this process's CPU time.
"""
import json
import sys
import time

from celery.events.state import State


def main():
    path = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path) as f:
        events = [json.loads(line) for line in f]
    print('events: %d' % len(events))
    for r in range(1, rounds + 1):
        batch = [dict(e) for e in events]
        state = State()
        t0 = time.perf_counter()
        c0 = time.process_time()
        for e in batch:
            state.event(e)
        cpu = time.process_time() - c0
        wall = time.perf_counter() - t0
        print('round %d: %.0f events/s wall (%.3f s), %.0f events per CPU-second; tasks kept %d, task count %d'
              % (r, len(events) / wall, wall, len(events) / cpu, len(state.tasks), state.task_count))


if __name__ == '__main__':
    main()
