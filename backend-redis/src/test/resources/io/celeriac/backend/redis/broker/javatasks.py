"""Tasks run by a real Celery worker from task messages that the Java Redis broker hand-builds (protocol 2)."""
import os

from celery import Celery

app = Celery('javatasks', broker=os.environ['CELERIAC_BROKER'], backend=os.environ['CELERIAC_BROKER'])
app.conf.broker_connection_retry_on_startup = True


@app.task(name='javatasks.add')
def add(x, y, z=0):
    return x + y + z


@app.task(name='javatasks.echo')
def echo(*args, **kwargs):
    return {'args': list(args), 'kwargs': kwargs}
