# Publishes Celery task messages with real Celery/kombu (send_task variants, a link, a chain, a group) to one
# queue, and prints, per message, what Celery handed to kombu (headers, properties, exact body JSON) as one JSON
# line. Usage: send_tasks.py <broker_url> <queue>
import datetime
import json
import sys

from celery import Celery, chain, group, signature
from celery.signals import before_task_publish

url, queue = sys.argv[1], sys.argv[2]
app = Celery('interop', broker=url)
app.conf.broker_connection_retry_on_startup = False
sent = []


@before_task_publish.connect
def record(sender=None, body=None, exchange=None, routing_key=None, headers=None, properties=None, **kw):
    sent.append({'headers': headers, 'properties': {k: v for k, v in properties.items()
                                                    if k in ('correlation_id', 'reply_to')},
                 'body': json.dumps(body), 'exchange': exchange, 'routing_key': routing_key})


eta = datetime.datetime(2026, 12, 7, 1, 59, 20, tzinfo=datetime.timezone.utc)
app.send_task('proj.add', args=(2, 3), kwargs={'z': 1}, queue=queue, countdown=10, expires=60, priority=5,
              headers={'x-custom': 'v1', 'x-int': 7, 'x-neg': -3, 'x-float': 1.5, 'x-true': True, 'x-none': None,
                       'x-list': [1, 'a', None, False], 'x-map': {'k': 'v', 'n': 2}, 'x-unicode': '\u00e9\u2713'})
app.send_task('proj.add', args=('\u00e9', '\u2713'), queue=queue, eta=eta, priority=9, time_limit=30,
              soft_time_limit=20, shadow='add-shadow', ignore_result=True, task_id='11111111-2222-3333-4444-555555555555')
app.send_task('proj.add', args=(2, 3), queue=queue, link=signature('proj.add', args=(10,)),
              link_error=signature('proj.tsum', args=([1],), immutable=True))
chain(signature('proj.add', args=(1, 2)), signature('proj.add', args=(3,)), signature('proj.add', args=(4,))) \
    .apply_async(queue=queue)
group(signature('proj.add', args=(1, 1)), signature('proj.add', args=(2, 2))).apply_async(queue=queue)
for s in sent:
    print(json.dumps(s))
