# Sends a canvas from Python and prints its result as JSON: used to compare with what Java computes.
import json
import sys

from celery import chain, chord, group

from proj import add, app, tsum

what = sys.argv[1]
if what == 'chain':
    r = chain(add.s(1, 2), add.s(3), add.s(4)).apply_async()
    value = r.get(timeout=60)
    ids = []
    node = r
    while node is not None:
        ids.append(node.id)
        node = node.parent
    print(json.dumps({'result': value, 'depth': len(ids)}))
elif what == 'group':
    r = group(add.s(i, i) for i in range(4)).apply_async()
    print(json.dumps({'result': r.get(timeout=60)}))
elif what == 'chord':
    r = chord([add.s(i, i) for i in range(3)], tsum.s()).apply_async()
    print(json.dumps({'result': r.get(timeout=60)}))
elif what == 'chord_of_chains':
    r = chord([chain(add.s(i, i), add.s(1)) for i in range(3)], tsum.s()).apply_async()
    print(json.dumps({'result': r.get(timeout=60)}))
app.close()
