# The Celery app a real Python worker runs in the interop test: broker and result backend from the environment.
import os

from celery import Celery

app = Celery('interop_tasks', broker=os.environ['INTEROP_BROKER'], backend=os.environ['INTEROP_BACKEND'])
app.conf.broker_connection_retry_on_startup = True


@app.task(name='interop.add')
def add(x, y, z=0):
    return x + y + z
