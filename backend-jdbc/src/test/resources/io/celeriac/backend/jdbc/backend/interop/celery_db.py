"""Drives Python Celery 5.2.6's database backend for celeriac's interop tests.

usage: celery_db.py <command> <backend-url> <plan.json>

The plan is JSON: {"extended": bool, "table_names": {...}, "table_schemas": {...}, "ops": [...]}.
Commands:
  write   performs every op through Celery's own DatabaseBackend (store_result with a worker-like
          request, exceptions, groups saved with GroupResult.save) and prints {"ok": true}
  read    reads every task and group of the plan back through Celery (AsyncResult, the raw
          SQLAlchemy row, GroupResult.restore) and prints one JSON document with what it saw
  evil    stores hostile objects whose pickles call os.system / builtins.eval / subprocess.Popen
  loads   unpickles the raw result column of one task with Python's own pickle (proves a payload is live)
  wait    waits with AsyncResult.get for every task of the plan (they must all be ready), prints results
"""
import builtins
import json
import os
import pickle
import subprocess
import sys

from celery import Celery
from celery.app.task import Context
from celery.exceptions import TaskRevokedError
from celery.result import AsyncResult, GroupResult, result_from_tuple

command, url, plan_path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(plan_path, encoding="utf-8") as f:
    plan = json.load(f)

app = Celery("interop", backend=url, set_as_current=True)
app.conf.update(
    result_serializer="json",
    accept_content=["json"],
    result_extended=bool(plan.get("extended")),
    database_table_names=plan.get("table_names") or {},
    database_table_schemas=plan.get("table_schemas") or {},
)
if plan.get("timezone"):
    app.conf.timezone = plan["timezone"]
backend = app.backend


def exception(op):
    if op.get("exc_module") == "builtins":
        cls = getattr(builtins, op["exc_type"])
    else:
        cls = type(op["exc_type"], (Exception,), {"__module__": op.get("exc_module")})
    return cls(*op.get("args", []))


def request(op):
    r = op.get("request")
    if r is None:
        return None
    return Context(task=r.get("task"), args=r.get("args"), kwargs=r.get("kwargs"), hostname=r.get("hostname"),
                   retries=r.get("retries"), delivery_info={"routing_key": r.get("queue")}, children=[],
                   group=r.get("group"), parent_id=r.get("parent_id"))


def jsonable(v):
    if isinstance(v, BaseException):
        return {"__exception__": type(v).__name__, "module": type(v).__module__, "args": [jsonable(a) for a in v.args]}
    if isinstance(v, (list, tuple)):
        return [jsonable(x) for x in v]
    if isinstance(v, dict):
        return {str(k): jsonable(x) for k, x in v.items()}
    if isinstance(v, bytes):
        return {"__bytes__": v.hex()}
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def write():
    for op in plan["ops"]:
        kind = op["op"]
        if kind == "store":
            backend.store_result(op["task_id"], op.get("result"), op["state"], traceback=op.get("traceback"),
                                 request=request(op))
        elif kind == "fail":
            backend.store_result(op["task_id"], exception(op), op["state"], traceback=op.get("traceback"),
                                 request=request(op))
        elif kind == "revoke":
            backend.store_result(op["task_id"], TaskRevokedError(op["reason"]), "REVOKED", request=request(op))
        elif kind == "group":
            group = result_from_tuple(op["tuple"], app)
            group.save(backend=backend)
    print(json.dumps({"ok": True}))


def read():
    tasks = {}
    groups = {}
    session = backend.ResultSession()
    try:
        for op in plan["ops"]:
            if op["op"] == "group":
                g = GroupResult.restore(op["group_id"], app=app)
                if g is None:
                    groups[op["group_id"]] = None
                    continue
                member = g.results[0] if g.results else None
                groups[op["group_id"]] = {
                    "tuple": jsonable(g.as_tuple()),
                    "member_backend": type(member.backend).__name__ if member is not None else None,
                    "member_backend_is_app_backend": member is not None and member.backend is app.backend,
                    "member_backend_url": getattr(member.backend, "url", None) if member is not None else None,
                    "member_states": [r.state if isinstance(r, AsyncResult) else None for r in g.results],
                }
                continue
            tid = op["task_id"]
            row = session.query(backend.task_cls).filter(backend.task_cls.task_id == tid).first()
            res = AsyncResult(tid, app=app)
            meta = backend.get_task_meta(tid)
            tasks[tid] = {
                "state": res.state,
                "result": jsonable(res.result),
                "traceback": res.traceback,
                "date_done": jsonable(meta.get("date_done")),
                "raw_result": jsonable(row.result) if row is not None else None,
                "raw_result_type": type(row.result).__name__ if row is not None else None,
                "extended": {k: jsonable(meta.get(k)) for k in ("name", "args", "kwargs", "worker", "retries", "queue")},
            }
    finally:
        session.close()
    print(json.dumps({"tasks": tasks, "groups": groups}))


class Evil:
    def __init__(self, how, marker):
        self.how = how
        self.marker = marker

    def __reduce__(self):
        if self.how == "os.system":
            return os.system, ("touch " + self.marker,)
        if self.how == "builtins.eval":
            return builtins.eval, ("open(%r, 'w').close()" % self.marker,)
        if self.how == "subprocess.Popen":
            return subprocess.Popen, (["touch", self.marker],)
        raise ValueError(self.how)


def evil():
    for op in plan["ops"]:
        payload = Evil(op["how"], op["marker"])
        if op.get("nested"):
            payload = {"ok": [1, 2, {"inner": payload}]}
        backend.store_result(op["task_id"], payload, "SUCCESS")
    print(json.dumps({"ok": True}))


def loads():
    import sqlalchemy as sa
    session = backend.ResultSession()
    try:
        table = backend.task_cls.__table__.fullname
        raw = session.execute(sa.text("SELECT result FROM " + table + " WHERE task_id = :t"), {"t": plan["task_id"]}).first()
        pickle.loads(bytes(raw[0]))
    finally:
        session.close()
    print(json.dumps({"ok": True}))


def wait():
    out = {}
    for op in plan["ops"]:
        out[op["task_id"]] = jsonable(AsyncResult(op["task_id"], app=app).get(timeout=60, propagate=False))
    print(json.dumps(out))


{"write": write, "read": read, "evil": evil, "loads": loads, "wait": wait}[command]()
