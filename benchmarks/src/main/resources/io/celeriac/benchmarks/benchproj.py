"""The Celery app of the harness's round-trip figure: proj.add served by a Python worker on the harness's queue."""
import os

from celery import Celery

app = Celery('benchproj', broker=os.environ['BENCH_BROKER_URL'], backend=os.environ['BENCH_BACKEND_URL'])


@app.task(name='proj.add')
def add(x, y):
    return x + y
