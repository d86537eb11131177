"""Handlers declared ``inline=True``, for the tests of running a handler on the reading thread."""

import logging
import threading
import time

from starweave_bridge.registry import handler


@handler("inline_thread", inline=True)
def inline_thread(payload):
    """Return the name of the thread that runs the handler, and the payload."""
    return {"thread": threading.current_thread().name, "payload": payload}


@handler("inline_busy", inline=True)
def inline_busy(payload):
    """Block for ``payload["seconds"]`` without looking at the context, as a slow mistake would."""
    time.sleep(payload["seconds"])
    return "late"


@handler("pooled_thread")
def pooled_thread(payload):
    """Return the name of the thread that runs a handler not declared inline."""
    return threading.current_thread().name


@handler("log_by_name")
def log_by_name(payload):
    """Log through the handler's named logger without touching the context."""
    logging.getLogger("starweave_bridge.handlers.log_by_name").info("named %s", payload)
    return True
