# The Python side of the worker interop tests: an app on the test's broker and backend whose t.* tasks go to the
# Java worker's queue and py.* tasks to a Python worker's queue.
import os

from celery import Celery

JQ = os.environ['CELERIAC_JAVA_QUEUE']
PQ = os.environ['CELERIAC_PY_QUEUE']

app = Celery('wproj', broker=os.environ['CELERIAC_BROKER'], backend=os.environ['CELERIAC_BACKEND'])
app.conf.task_routes = {'t.*': {'queue': JQ}, 'py.*': {'queue': PQ}}
app.conf.task_default_queue = PQ
app.conf.broker_connection_retry_on_startup = True


@app.task(name='py.mul')
def mul(x, y):
    return x * y


@app.task(name='py.tsum')
def tsum(values):
    return sum(values)


@app.task(name='py.errback')
def errback(task_id):
    return 'errback saw ' + task_id
