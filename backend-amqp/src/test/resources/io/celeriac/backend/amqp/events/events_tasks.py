# The Celery app a real Python worker runs in the events interop tests: the broker comes from the environment,
# there is no result backend (only the events matter).
import os

from celery import Celery

app = Celery('events_tasks', broker=os.environ['INTEROP_BROKER'])
app.conf.broker_connection_retry_on_startup = True


@app.task(name='interop.add')
def add(x, y, z=0):
    return x + y + z


@app.task(name='interop.fail')
def fail(msg):
    raise ValueError(msg)
