# Sends one task as a Python client does: send_task.py BROKER_URL QUEUE TASK_ID NAME ARG...
import sys

from celery import Celery

app = Celery('sender', broker=sys.argv[1])
args = tuple(int(a) if a.lstrip('-').isdigit() else a for a in sys.argv[5:])
app.send_task(sys.argv[4], args, queue=sys.argv[2], task_id=sys.argv[3])
print('sent', sys.argv[3])
