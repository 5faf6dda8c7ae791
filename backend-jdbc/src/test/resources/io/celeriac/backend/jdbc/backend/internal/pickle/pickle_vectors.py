"""Pickles values the way Celery's database backend does, for PickleCodecTest.

Reads one JSON document per line from argv[1]: either a Celery meta document (its "result" is pickled
as the database backend would: an exception state's exc_message becomes a tuple) or {"value": ...}.
Prints, per line, the hex of pickle.dumps(value, protocol) for protocols 0 to 5, space-separated.
"""
import json
import pickle
import sys

EXCEPTION_STATES = {"FAILURE", "RETRY", "REVOKED"}

with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        doc = json.loads(line)
        if "status" in doc:
            value = doc["result"]
            if doc["status"] in EXCEPTION_STATES and isinstance(value, dict) and "exc_type" in value:
                value = dict(value)
                if isinstance(value.get("exc_message"), list):
                    value["exc_message"] = tuple(value["exc_message"])
        else:
            value = doc["value"]
        print(" ".join(pickle.dumps(value, protocol=p).hex() for p in range(6)))
