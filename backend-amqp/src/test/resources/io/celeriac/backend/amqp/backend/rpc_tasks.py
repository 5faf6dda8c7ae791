# The Celery app of the rpc:// interop test: broker from the environment, results through rpc://.
import os

from celery import Celery

app = Celery('rpc_tasks', broker=os.environ['INTEROP_BROKER'], backend='rpc://')
app.conf.broker_connection_retry_on_startup = True
app.conf.task_default_queue = os.environ['INTEROP_QUEUE']


@app.task(name='interop.add')
def add(x, y, z=0):
    return x + y + z


@app.task(name='interop.fail')
def fail(msg):
    raise ValueError(msg)
