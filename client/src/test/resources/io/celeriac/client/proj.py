import os
import time

from celery import Celery

app = Celery('proj', broker=os.environ['CELERIAC_BROKER'], backend=os.environ.get('CELERIAC_BACKEND'))
app.conf.task_default_queue = os.environ.get('CELERIAC_QUEUE', 'celery')
app.conf.broker_connection_retry_on_startup = True


@app.task
def add(x, y, z=0):
    return x + y + z


@app.task
def tsum(nums):
    return sum(nums)


@app.task
def slow(secs):
    time.sleep(secs)
    return secs


@app.task
def fail(msg):
    raise ValueError(msg)


@app.task
def when(tag=None):
    return time.time()


@app.task
def errback(task_id):
    return task_id


@app.task(bind=True)
def where(self):
    return self.request.delivery_info.get('routing_key')


@app.task
def spawn(x):
    add.delay(x, x)
    return x
