"""Regenerates tck/src/main/resources/io/celeriac/tck/golden/celery-generated-metas.jsonl.

Runs Debian's Celery 5.2.6 (/usr/bin/python3) without any server: it builds each meta with the
backend's own _get_result_meta / encode_result, adds task_id as KeyValueStoreBackend._store_result
does, and encodes it with kombu's json serializer -- the exact bytes a Redis backend would SET.

    /usr/bin/python3 tck/src/test/python/generate_golden.py > .../celery-generated-metas.jsonl
"""
import datetime
import sys
from unittest import mock

from celery import Celery
from celery.backends.base import KeyValueStoreBackend
from celery.utils.serialization import get_pickleable_exception  # noqa: F401  (import check)
from kombu.utils.json import dumps


class Request:
    def __init__(self, **kw):
        self.__dict__.update(kw)


class Backend(KeyValueStoreBackend):
    def get(self, key):
        return None

    def set(self, key, value):
        sys.stdout.write(value + "\n")

    def mget(self, keys):
        return [None for _ in keys]

    def delete(self, key):
        pass


class CustomError(Exception):
    pass


CustomError.__module__ = "interop_common"


def main():
    app = Celery("golden", set_as_current=True)
    app.conf.result_serializer = "json"
    app.conf.accept_content = ["json"]
    backend = Backend(app=app)
    ext_app = Celery("golden-ext", set_as_current=False)
    ext_app.conf.result_extended = True
    ext = Backend(app=ext_app)

    fixed = [
        datetime.datetime(2026, 11, 21, 12, 0, 0, 0),        # microseconds omitted
        datetime.datetime(2026, 1, 2, 3, 4, 5, 600),
        datetime.datetime(2026, 12, 31, 23, 59, 59, 999999),
    ]
    clock = iter(fixed * 100)

    class FakeDatetime(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return next(clock)

    worker = Request(children=[], group=None, parent_id=None, task="proj.add", args=[1, 2],
                     kwargs={"x": 1}, hostname="celery@host", retries=0,
                     delivery_info={"routing_key": "celery"})
    with mock.patch("celery.backends.base.datetime", FakeDatetime):
        backend.store_result("golden-zero-micros", 1, "SUCCESS", request=worker)
        backend.store_result("golden-small-micros", 2, "SUCCESS", request=worker)
        backend.store_result("golden-max-micros", 3, "SUCCESS", request=worker)
        values = [
            ("golden-big-negative", -123456789012345678901234567890),
            ("golden-int64-max", 9223372036854775807),
            ("golden-int64-min-minus-1", -9223372036854775809),
            ("golden-float-1e16", 1e16),
            ("golden-float-1e-05", 1e-05),
            ("golden-float-0.0001", 0.0001),
            ("golden-float-neg-zero", -0.0),
            ("golden-float-third", 1 / 3),
            ("golden-float-large", 1.7976931348623157e308),
            ("golden-float-tiny", 5e-324),
            ("golden-float-2e23", 2e23),
            ("golden-float-16digits", 1234567890123456.0),
            ("golden-nan", float("nan")),
            ("golden-inf", float("inf")),
            ("golden-neg-inf", float("-inf")),
            ("golden-controls", "tab\tnul\x00bell\x07del\x7fcr\rff\fbs\b\u2028"),
            ("golden-astral", "\U0001F600\U00010348"),
            ("golden-key-types", {"1": "int key", "true": "bool key", "null": "none key", "1.5": "float key"}),
            ("golden-large-string", "0123456789abcdef" * 6400),
            ("golden-deep", [[[[[[[[[[{"deep": True}]]]]]]]]]]),
            ("golden-empty-list", []),
            ("golden-empty-dict", {}),
            ("golden-false", False),
        ]
        for task_id, value in values:
            backend.store_result(task_id, value, "SUCCESS")
        child = Request(children=[], group="golden-group", parent_id="golden-parent", task="proj.child",
                        args=[], kwargs={}, hostname="w1@host", retries=2,
                        delivery_info={"routing_key": "high"})
        ext.store_result("golden-ext-group-parent", {"ok": True}, "SUCCESS", request=child)
        ext.store_result("golden-ext-retry", CustomError("quota exceeded \u2603", 429), "RETRY",
                         traceback="Traceback (most recent call last):\nCustomError\n", request=child)
        no_queue = Request(children=[], group=None, parent_id=None, task="proj.nq", args=None,
                           kwargs=None, hostname=None, retries=None, delivery_info=None)
        ext.store_result("golden-ext-nulls", None, "STARTED", request=no_queue)
        from celery.result import AsyncResult, GroupResult
        parent = AsyncResult("golden-parent", app=app)
        kids = Request(children=[AsyncResult("golden-child-1", app=app),
                                 AsyncResult("golden-child-2", parent=parent, app=app),
                                 GroupResult("golden-child-group", [AsyncResult("golden-gc-1", app=app)], app=app)],
                       group=None, parent_id=None)
        backend.store_result("golden-children", "with children", "SUCCESS", request=kids)
        backend.store_result("golden-revoked-terminated", __import__("celery").exceptions.TaskRevokedError("terminated"),
                             "REVOKED", request=worker)
        backend.store_result("golden-failure-no-args", KeyError(), "FAILURE", request=worker)


if __name__ == "__main__":
    main()
