"""Example handlers, used by the tests and as a starting point:
``python -m starweave_bridge --handlers starweave_bridge.examples``. The scikit-learn model
lives in ``starweave_bridge.examples.iris`` because importing scikit-learn takes most of a
second."""

import os
import time

import numpy as np

from ..registry import handler


@handler("echo")
def echo(payload):
    """Return the payload unchanged."""
    return payload


@handler("sum")
def sum_floats(values):
    """Return the sum of a list of numbers as a float."""
    if not isinstance(values, (list, tuple, np.ndarray)):
        raise TypeError(f"sum expects a list of numbers, received {type(values).__name__}")
    return float(sum(values))


@handler("sleep")
def sleep(payload, ctx):
    """Sleep ``payload['seconds']`` while watching for cancel and deadline; return the seconds."""
    seconds = float(payload["seconds"])
    ctx.sleep(seconds)
    return seconds


@handler("busy")
def busy(payload):
    """Sleep ``payload['seconds']`` without checking the context, like careless user code."""
    time.sleep(float(payload["seconds"]))
    return "done"


@handler("crash")
def crash(payload):
    """End the worker process at once with exit status ``payload['status']`` (default 13)."""
    os._exit(int((payload or {}).get("status", 13)))


@handler("fail")
def fail(payload):
    """Raise ``ValueError`` with the payload as message."""
    raise ValueError(str(payload))


@handler("print")
def print_lines(payload):
    """Print each line of ``payload['lines']`` to stdout and return how many were printed."""
    lines = payload["lines"]
    for line in lines:
        print(line)
    return len(lines)


@handler("double")
def double(array):
    """Return a numpy array times two, keeping its dtype and shape."""
    return np.asarray(array) * 2


@handler("unencodable")
def unencodable(payload):
    """Return a value the wire format cannot carry: a function inside a dict."""
    return {"ok": [1, 2], "callback": lambda: None}


@handler("big")
def big(payload):
    """Return ``payload['bytes']`` zero bytes."""
    return bytes(int(payload["bytes"]))


@handler("square_batch", batch=True, max_batch_size=64)
def square_batch(values, ctx):
    """Square each number of a batch in one vectorized call; log the batch size."""
    fields = {"size": len(values)}
    ctx.logger.info("squared a batch", extra={"event": "examples.batch", "fields": fields})
    return (np.asarray(values, dtype=np.float64) ** 2).tolist()


@handler("sleep_batch", batch=True)
def sleep_batch(payloads, ctx):
    """Sleep the largest number of seconds in the batch, then return the payloads."""
    ctx.sleep(max(float(seconds) for seconds in payloads))
    return payloads


@handler("reciprocal_batch", batch=True)
def reciprocal_batch(values):
    """Return 1 / x for each number; a zero fails only its own request, with the
    ``ZeroDivisionError`` put in its place in the result list."""
    results = []
    for value in values:
        try:
            results.append(1 / value)
        except ZeroDivisionError as error:
            results.append(error)
    return results


@handler("wrong_batch", batch=True)
def wrong_batch(values):
    """Return one result too few, to show the batch length check."""
    return values[:-1]


@handler("count")
def count(payload, ctx):
    """Yield the numbers 0 to ``payload['to'] - 1``, pausing ``payload.get('pause', 0)`` s each."""
    pause = float(payload.get("pause", 0))
    for number in range(int(payload["to"])):
        if pause:
            ctx.sleep(pause)
        yield number
