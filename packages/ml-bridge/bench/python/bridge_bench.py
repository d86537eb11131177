"""Handlers of the bridge benchmarks: the small request (ten floats summed) and the 1 MB
request (a float32 array doubled and sent back)."""

import numpy as np

from starweave_bridge.registry import handler


# A sum of ten floats takes microseconds, so it runs on the worker's reading thread.
@handler("bench_small", inline=True)
def bench_small(payload):
    """Return ``{"y": sum(x)}`` for ``{"x": [ten floats]}``."""
    return {"y": float(sum(payload["x"]))}


@handler("bench_large")
def bench_large(payload):
    """Return ``{"x": x * 2}`` for a float32 array ``x``, as a float32 array."""
    return {"x": np.asarray(payload["x"], dtype=np.float32) * 2}
