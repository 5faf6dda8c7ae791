"""Drives Debian's Python Celery (5.2, 5.5 or 5.6) against a Redis result backend, for celeriac's interop tests.

    /usr/bin/python3 celery_interop.py <command> <backend-url> <spec.json> [broker-url]

Every command prints one JSON object per line. Commands:

  write   spec = [{"id", "doc"}]: stores each golden document through Celery's own store path
          (backend.store_result with a worker-like request rebuilt from the document) and prints
          {"id", "raw"} with the bytes Celery wrote.
  read    spec = [ids]: reads each result as a Celery client does and prints what Python sees.
  groups  spec = [gids]: restores each saved group and prints its members.
  savegroups spec = [{"tuple"}]: saves each GroupResult (given as its as_tuple() JSON) with Celery.
  wait    spec = {"id", "timeout"}: AsyncResult(id).get(timeout) -- subscribes, then blocks.
  store   spec = {"id", "value", "state"} or {"id", "exc", "state"}: one store_result call.
  chord   spec = {"group", "size", "body", "parts": [{"id", "index", "value"|"exc"}]}: optionally
          set_chord_size, then completes each part as a worker does (mark_as_done/mark_as_failure
          with request.chord set, which runs on_chord_part_return).
  typed   spec = {"write": id, "read": id}: stores a dict of Python datetimes, dates, times, a Decimal, a UUID
          (and bytes, kombu 5.3+) under "write" and prints the raw bytes; prints the type and repr of each value
          of the result stored under "read".
"""
import builtins
import json
import sys
import types

from celery import Celery
from celery.app.task import Context
from celery.result import AsyncResult, GroupResult, result_from_tuple
from kombu.utils.json import dumps

# The golden corpus holds exceptions of a module that only exists on the producing side.
interop_common = types.ModuleType("interop_common")


class CustomError(Exception):
    pass


CustomError.__module__ = "interop_common"
interop_common.CustomError = CustomError
sys.modules["interop_common"] = interop_common


def make_app(url, extended=False, broker=None):
    app = Celery("interop-ext" if extended else "interop", backend=url, broker=broker or "memory://",
                 set_as_current=not extended)
    app.conf.result_serializer = "json"
    app.conf.accept_content = ["json"]
    app.conf.result_accept_content = ["json"]
    app.conf.result_extended = extended
    return app


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def exception(info):
    """An exception object from {"exc_type", "exc_module", "exc_message"}."""
    module, name, args = info.get("exc_module"), info["exc_type"], info.get("exc_message") or []
    if module == "builtins":
        cls = getattr(builtins, name)
    elif module == "interop_common":
        cls = CustomError
    elif module == "celery.exceptions":
        import celery.exceptions
        cls = getattr(celery.exceptions, name)
    else:
        cls = type(name, (Exception,), {"__module__": module})
    return cls(*args) if isinstance(args, list) else cls(args)


def request_from(doc, app):
    request = Context(
        id=doc.get("task_id"),
        group=doc.get("group_id"),
        parent_id=doc.get("parent_id"),
        task=doc.get("name"),
        args=doc.get("args"),
        kwargs=doc.get("kwargs"),
        hostname=doc.get("worker"),
        retries=doc.get("retries"),
        delivery_info={"routing_key": doc["queue"]} if doc.get("queue") else None,
    )
    # children is a property of Context: a worker appends the results of the tasks it started
    request.children.extend(result_from_tuple(t, app) for t in (doc.get("children") or []))
    return request


def cmd_write(url, spec):
    plain, ext = make_app(url), make_app(url, extended=True)
    for item in spec:
        doc = json.loads(item["doc"])
        doc["task_id"] = item["id"]
        app = ext if "name" in doc else plain
        state = doc["status"]
        value = doc["result"]
        if state in ("FAILURE", "RETRY", "REVOKED") and isinstance(value, dict) and "exc_type" in value:
            value = exception(value)
        # A direct store_result has no request (children null); a worker's has one.
        request = request_from(doc, app) if doc.get("children") is not None or "name" in doc else None
        app.backend.store_result(item["id"], value, state, traceback=doc.get("traceback"), request=request)
        raw = app.backend.client.get(app.backend.get_key_for_task(item["id"]))
        emit({"id": item["id"], "raw": raw.decode("utf-8")})


def describe(app, task_id):
    backend = app.backend
    raw = backend.client.get(backend.get_key_for_task(task_id))
    meta = backend.get_task_meta(task_id)
    r = AsyncResult(task_id, app=app)
    out = {"id": task_id, "state": r.state, "raw": None if raw is None else raw.decode("utf-8")}
    if raw is not None:
        # kombu re-encodes the decoded document to exactly the bytes stored: they are kombu's own
        out["canonical"] = dumps(json.loads(raw)) == raw.decode("utf-8")
    result = r.result
    if isinstance(result, BaseException):
        out["exc"] = {"type": type(result).__name__, "module": type(result).__module__, "args": list(result.args)}
    else:
        out["result"] = dumps(result)
    out["traceback"] = r.traceback
    out["date_done"] = r.date_done.isoformat() if r.date_done else None
    out["children"] = dumps(meta.get("children"))
    for key in ("group_id", "parent_id"):
        out[key] = meta.get(key)
    for key in ("name", "args", "kwargs", "worker", "retries", "queue"):
        out[key] = getattr(r, key)
    return out


def cmd_read(url, spec):
    app = make_app(url)
    for task_id in spec:
        emit(describe(app, task_id))


def cmd_groups(url, spec):
    app = make_app(url)
    for gid in spec:
        g = GroupResult.restore(gid, app=app)
        if g is None:
            emit({"id": gid, "found": False})
            continue
        emit({"id": gid, "found": True, "tuple": dumps(g.as_tuple()),
              "members": [child.id for child in g.results]})


def cmd_savegroups(url, spec):
    app = make_app(url)
    for item in spec:
        g = result_from_tuple(json.loads(item["tuple"]), app)
        g.save(backend=app.backend)
        raw = app.backend.client.get(app.backend.get_key_for_group(g.id))
        emit({"id": g.id, "raw": raw.decode("utf-8")})


def cmd_wait(url, spec):
    app = make_app(url)
    r = AsyncResult(spec["id"], app=app)
    emit({"event": "waiting"})
    try:
        value = r.get(timeout=spec["timeout"])
        emit({"event": "done", "state": r.state, "result": dumps(value)})
    except Exception as e:  # the task's own exception, rebuilt by Celery
        emit({"event": "raised", "state": r.state, "type": type(e).__name__,
              "module": type(e).__module__, "args": list(e.args)})


def cmd_store(url, spec):
    app = make_app(url)
    value = exception(spec["exc"]) if "exc" in spec else spec.get("value")
    app.backend.store_result(spec["id"], value, spec["state"], traceback=spec.get("traceback"))
    emit(describe(app, spec["id"]))


def cmd_chord(url, spec, broker):
    app = make_app(url, broker=broker)
    if spec.get("ordered") is False:
        app.conf.result_backend_transport_options = {"result_chord_ordered": False}
    gid = spec["group"]
    if spec.get("size") is not None:
        app.backend.set_chord_size(gid, spec["size"])
    for part in spec["parts"]:
        request = Context(id=part["id"], group=gid, group_index=part["index"], chord=spec["body"],
                          children=[], delivery_info={"routing_key": "celery"})
        if "exc" in part:
            try:
                raise exception(part["exc"])
            except Exception as e:  # a real traceback, as a worker has
                import traceback
                app.backend.mark_as_failure(part["id"], e, traceback.format_exc(), request=request)
        else:
            app.backend.mark_as_done(part["id"], part["value"], request=request)
        emit({"part": part["id"], "stored": app.backend.get_task_meta(part["id"])["status"]})


def cmd_typed(url, spec):
    import datetime
    import decimal
    import uuid
    import kombu
    app = make_app(url)
    utc = datetime.timezone.utc
    value = {
        "aware": datetime.datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=utc),
        "naive": datetime.datetime(2026, 12, 7, 1, 2, 3),
        "date": datetime.date(2026, 12, 7),
        "time": datetime.time(1, 2, 3, 500000),
        "decimal": decimal.Decimal("1.10"),
        "uuid": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    }
    if tuple(int(x) for x in kombu.__version__.split(".")[:2]) >= (5, 3):
        value["bytes"] = b"abc"
        value["binary"] = b"\xff\x00"
    app.backend.store_result(spec["write"], value, "SUCCESS")
    raw = app.backend.client.get(app.backend.get_key_for_task(spec["write"]))
    emit({"raw": raw.decode("utf-8")})
    result = AsyncResult(spec["read"], app=app).result
    emit({k: [type(v).__name__, repr(v)] for k, v in result.items()})


def main():
    command, url, spec_file = sys.argv[1], sys.argv[2], sys.argv[3]
    broker = sys.argv[4] if len(sys.argv) > 4 else None
    with open(spec_file, encoding="utf-8") as f:
        spec = json.load(f)
    if command == "chord":
        cmd_chord(url, spec, broker)
    else:
        {"write": cmd_write, "read": cmd_read, "groups": cmd_groups, "savegroups": cmd_savegroups, "wait": cmd_wait, "store": cmd_store, "typed": cmd_typed}[command](url, spec)


if __name__ == "__main__":
    main()
