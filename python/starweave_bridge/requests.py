"""Checks of ``request`` and ``batch`` frames before anything runs."""


def check_request(frame):
    """Return what is wrong with a request or batch frame, or None when it is valid."""
    kind = frame["type"]
    if kind == "batch":
        ids, payloads = frame.get("ids"), frame.get("payloads")
        if not isinstance(ids, list) or not isinstance(payloads, list) or not ids:
            return "invalid batch frame: ids and payloads must be non-empty arrays"
        if len(ids) != len(payloads):
            return f"invalid batch frame: {len(ids)} ids but {len(payloads)} payloads"
    else:
        ids = [frame.get("id")]
    if any(type(request_id) is not int for request_id in ids):
        return f"invalid {kind} frame: every id must be an integer, received {ids!r}"
    if len(set(ids)) != len(ids):
        return f"invalid {kind} frame: ids repeat: {ids!r}"
    if not isinstance(frame.get("handler"), str):
        return f"invalid {kind} frame: handler must be a string"
    deadline = frame.get("deadline")
    is_number = isinstance(deadline, (int, float)) and not isinstance(deadline, bool)
    if deadline is not None and not is_number:
        return f"invalid {kind} frame: deadline must be epoch milliseconds or nil"
    return None
