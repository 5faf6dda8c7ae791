"""Sends the event interop test's tasks with send_task: success, failure, retry, expiry and revoke."""
import json
import os
import sys
from datetime import datetime, timedelta, timezone

from celery import Celery, uuid

app = Celery('evtasks', broker=os.environ['CELERIAC_BROKER'])
app.conf.task_send_sent_event = True

ids = {}
ids['add'] = app.send_task('evtasks.add', (2, 3)).id
ids['fail'] = app.send_task('evtasks.fail', ('boom from java test',)).id
ids['flaky'] = app.send_task('evtasks.flaky').id
ids['expired'] = app.send_task('evtasks.add', (1, 1),
                               expires=datetime.now(timezone.utc) - timedelta(seconds=60)).id
revoked = uuid()
replies = app.control.revoke(revoked, reply=True, timeout=10)
ids['revoked'] = app.send_task('evtasks.add', (4, 4), task_id=revoked).id
ids['revoke_replies'] = len(replies)
print(json.dumps(ids))
sys.stdout.flush()
