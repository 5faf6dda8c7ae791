# Sends two tasks with Celery's rpc:// backend and waits for their results with AsyncResult.get(): a Java process
# consumes the task messages and stores the results. Prints SENT <id> <reply_to> per task, then one RESULT or ERROR line.
import sys

from celery import Celery

broker, queue = sys.argv[1], sys.argv[2]
app = Celery('rpc_client', broker=broker, backend='rpc://')
app.conf.task_default_queue = queue

ok = app.send_task('interop.add', args=(2, 3), kwargs={'z': 1})
bad = app.send_task('interop.fail', args=('boom',))
print('SENT', ok.id, app.thread_oid, flush=True)
print('SENT', bad.id, app.thread_oid, flush=True)
print('RESULT', ok.id, repr(ok.get(timeout=30)), ok.state, flush=True)
try:
    bad.get(timeout=30)
    print('ERROR none', flush=True)
except Exception as e:
    print('ERROR', bad.id, type(e).__name__, repr(e.args), bad.state, flush=True)
