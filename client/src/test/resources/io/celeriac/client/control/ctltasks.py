"""Tasks of the remote-control interop tests: a Celery 5.2 app on the test's broker and result backend."""
import os
import time

from celery import Celery

app = Celery('ctltasks', broker=os.environ['CELERIAC_BROKER'], backend=os.environ['CELERIAC_BACKEND'])
app.conf.broker_connection_retry_on_startup = True


@app.task
def add(x, y):
    return x + y


@app.task
def slow(seconds):
    end = time.time() + seconds
    while time.time() < end:
        time.sleep(0.05)
    return 'done'
