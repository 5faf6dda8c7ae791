# Sends one canvas to a queue no worker reads; Java compares its messages with the ones it sends itself.
import sys

from celery import Celery, chain, chord, group

app = Celery('proj', broker=sys.argv[1], backend=sys.argv[2])
app.conf.task_default_queue = sys.argv[3]
add = app.signature('proj.add')
what = sys.argv[4]
if what == 'chain':
    chain(app.signature('proj.add', (1, 2)), app.signature('proj.add', (3,)),
          app.signature('proj.add', (4,))).apply_async()
elif what == 'group':
    group(app.signature('proj.add', (1, 1)), app.signature('proj.add', (2, 2))).apply_async()
elif what == 'chord':
    chord([app.signature('proj.add', (i, i)) for i in range(3)], app.signature('proj.tsum')).apply_async()
app.close()
print('sent')
