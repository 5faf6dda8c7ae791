"""Runs message bodies through Celery's own EventReceiver (no broker: kombu's memory transport).

Usage: TZ=<zone> receiver_rules.py BODIES.json NOW

BODIES.json is a list of message bodies (an event object, or a list of them as task.multi carries).
Each is handed to EventReceiver._receive, as kombu would; every event the receiver dispatches is printed
as a JSON line, then {"clock": <the receiver's Lamport clock>}. local_received is NOW.
"""
import functools
import json
import sys

from celery import Celery


def main():
    with open(sys.argv[1]) as f:
        bodies = json.load(f)
    now = float(sys.argv[2])
    app = Celery(broker='memory://')
    out = []
    recv = app.events.Receiver(app.connection_for_read(), handlers={'*': out.append})
    recv.event_from_message = functools.partial(recv.event_from_message, now=lambda: now)
    for body in bodies:
        recv._receive(body, None)
    for event in out:
        print(json.dumps(event))
    print(json.dumps({'clock': recv.clock.value}))


if __name__ == '__main__':
    main()
