# Sends one task with the given options to a queue no worker reads; Java compares it with its own message.
import datetime
import json
import sys

from celery import Celery

app = Celery('proj', broker=sys.argv[1])
queue = sys.argv[2]
opts = json.loads(sys.argv[3])
options = dict(
    queue=queue,
    task_id=opts['task_id'],
    countdown=opts.get('countdown'),
    expires=opts.get('expires'),
    priority=opts.get('priority'),
    headers=opts.get('headers'),
    time_limit=opts.get('time_limit'),
    soft_time_limit=opts.get('soft_time_limit'),
    shadow=opts.get('shadow'),
    exchange=opts.get('exchange'),
    routing_key=opts.get('routing_key'),
    ignore_result=opts.get('ignore_result', False),
    link=[app.signature(s['task'], args=s['args'], options=s['options']) for s in opts.get('link', [])] or None,
)
if 'eta' in opts:
    options['eta'] = datetime.datetime.fromisoformat(opts['eta'])
if 'expires_at' in opts:
    options['expires'] = datetime.datetime.fromisoformat(opts['expires_at'])
options = {k: v for k, v in options.items() if v is not None}
app.send_task(opts['name'], args=tuple(opts['args']), kwargs=opts['kwargs'], **options)
app.close()
print('sent')
