"""The Celery app of the harness's Python workers, on the harness's queue.

proj.add serves the client round-trip figure; bench.noop and bench.sleep10 the worker figures, under the names the
Java worker registers for the same figures.
"""
import os
import time

from celery import Celery

app = Celery('benchproj', broker=os.environ['BENCH_BROKER_URL'], backend=os.environ['BENCH_BACKEND_URL'])


@app.task(name='proj.add')
def add(x, y):
    return x + y


@app.task(name='bench.noop')
def noop():
    return None


@app.task(name='bench.sleep10')
def sleep10():
    time.sleep(0.01)
