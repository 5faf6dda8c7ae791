"""Tasks of the event interop test: run by a real Celery worker on the test's broker."""
import os

from celery import Celery

app = Celery('evtasks', broker=os.environ['CELERIAC_BROKER'])
app.conf.task_send_sent_event = True
app.conf.worker_send_task_events = True
app.conf.broker_connection_retry_on_startup = True


@app.task
def add(x, y):
    return x + y


@app.task
def fail(msg):
    raise ValueError(msg)


@app.task(bind=True, max_retries=3)
def flaky(self):
    if self.request.retries < 1:
        raise self.retry(countdown=0.1)
    return 'ok'
