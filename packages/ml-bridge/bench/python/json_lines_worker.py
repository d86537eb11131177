"""The JSON-lines baseline of the bridge benchmarks: one JSON object per line on stdin, one
answer per line on stdout, as a python-shell style bridge does. Bytes travel as base64."""

import base64
import json
import sys

import numpy as np


def answer(request):
    """Return the answer to one request: the sum of ten floats, or a float32 array doubled."""
    x = request["x"]
    if isinstance(x, list):
        return {"id": request["id"], "y": float(sum(x))}
    doubled = np.frombuffer(base64.b64decode(x), dtype=np.float32) * 2
    return {"id": request["id"], "x": base64.b64encode(doubled.tobytes()).decode("ascii")}


def main():
    """Answer requests until stdin closes."""
    out = sys.stdout
    for line in sys.stdin.buffer:
        out.write(json.dumps(answer(json.loads(line))))
        out.write("\n")
        out.flush()


if __name__ == "__main__":
    main()
