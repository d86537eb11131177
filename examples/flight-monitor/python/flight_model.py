"""The flight monitor's delay model, served through the Starweave bridge: a logistic regression
of "arrival delay over 15 minutes" on the hour of departure, the weekday, the distance and
target encodings of the origin and destination airports.

``train_delay_model`` fits it on numpy arrays and saves its parameters to an ``.npz`` file.
``predict_delay`` (a batch handler) loads that file once per worker and scores flights, so a
restarted worker scores again without training again.
"""

import os
import threading
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score

from starweave_bridge.registry import handler

#: The columns a payload carries, and the dtype each is read as.
COLUMNS = {
    "hour": np.int64,
    "weekday": np.int64,
    "distance": np.float64,
    "origin": np.int64,
    "destination": np.int64,
}

#: Weight, in flights, of the overall delay rate in each airport's smoothed rate.
SMOOTHING = 50.0

#: Flights the regression is fitted on at most, drawn with a fixed seed; the airport encodings
#: use every flight. A third of January fits the 34 coefficients as well and three times faster.
MAX_FIT_ROWS = 150_000

_models = {}
_models_lock = threading.Lock()


def _columns(payload):
    """Return the payload's feature columns as numpy arrays of one length."""
    missing = [name for name in COLUMNS if name not in payload]
    if missing:
        raise ValueError(f"invalid flight payload: missing columns {missing}; expected {list(COLUMNS)}")
    columns = {name: np.asarray(payload[name], dtype=dtype) for name, dtype in COLUMNS.items()}
    lengths = {len(column) for column in columns.values()}
    if len(lengths) != 1:
        raise ValueError(f"invalid flight payload: columns have different lengths {sorted(lengths)}")
    return columns


def _logit(rate):
    return np.log(rate / (1.0 - rate))


def _target_encoding(codes, labels, prior):
    """Return the sorted airport codes and each one's smoothed log-odds of a delay."""
    unique, inverse = np.unique(codes, return_inverse=True)
    counts = np.bincount(inverse).astype(np.float64)
    positives = np.bincount(inverse, weights=labels.astype(np.float64))
    rates = (positives + SMOOTHING * prior) / (counts + SMOOTHING)
    return unique, _logit(rates)


def _encode(codes, known, values, default):
    """Look up each code's encoding; codes not seen in training get ``default``."""
    index = np.searchsorted(known, codes)
    index = np.minimum(index, len(known) - 1)
    found = known[index] == codes
    return np.where(found, values[index], default)


def _features(columns, model):
    """Build the design matrix for training: one-hot hour and weekday, the scaled log distance,
    and the airport encodings."""
    rows = len(columns["hour"])
    features = np.zeros((rows, 24 + 7 + 3), dtype=np.float64)
    features[np.arange(rows), np.clip(columns["hour"], 0, 23)] = 1.0
    features[np.arange(rows), 24 + np.clip(columns["weekday"], 0, 6)] = 1.0
    features[:, 31] = _scaled_distance(columns, model)
    prior = float(model["prior_logit"])
    features[:, 32] = _encode(columns["origin"], model["origin_codes"], model["origin_logits"], prior)
    features[:, 33] = _encode(
        columns["destination"], model["destination_codes"], model["destination_logits"], prior
    )
    return features


def _scaled_distance(columns, model):
    distance = np.log1p(np.maximum(columns["distance"], 0.0))
    return (distance - model["distance_mean"]) / model["distance_std"]


def _probabilities(columns, model):
    """Score flights without building the design matrix: a one-hot column times its weight is
    that weight looked up by index. Every flight gets the same sequence of operations, so its
    score does not depend on the batch it came in."""
    weights = model["coefficients"]
    prior = float(model["prior_logit"])
    z = weights[np.clip(columns["hour"], 0, 23)] + weights[24 + np.clip(columns["weekday"], 0, 6)]
    z += weights[31] * _scaled_distance(columns, model)
    z += weights[32] * _encode(columns["origin"], model["origin_codes"], model["origin_logits"], prior)
    z += weights[33] * _encode(
        columns["destination"], model["destination_codes"], model["destination_logits"], prior
    )
    z += float(model["intercept"])
    return 1.0 / (1.0 + np.exp(-z))


def _load(path):
    """Return the model saved at ``path``, loading it again when the file has changed."""
    stamp = os.stat(path).st_mtime_ns
    with _models_lock:
        cached = _models.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        with np.load(path) as saved:
            model = {name: saved[name] for name in saved.files}
        _models[path] = (stamp, model)
        return model


@handler("train_delay_model")
def train_delay_model(payload):
    """Fit the model on ``payload`` (the feature columns, ``delayed`` as 0 or 1, and ``path``,
    where the parameters are saved) and return training statistics."""
    started = time.perf_counter()
    columns = _columns(payload)
    labels = np.asarray(payload["delayed"], dtype=np.int64)
    path = str(payload["path"])
    if len(labels) != len(columns["hour"]):
        raise ValueError(
            f"invalid training payload: {len(labels)} labels for {len(columns['hour'])} flights"
        )
    if len(labels) == 0 or labels.min() == labels.max():
        raise ValueError("invalid training payload: both delayed and on-time flights are needed")

    prior = float(labels.mean())
    origin_codes, origin_logits = _target_encoding(columns["origin"], labels, prior)
    destination_codes, destination_logits = _target_encoding(columns["destination"], labels, prior)
    distance = np.log1p(np.maximum(columns["distance"], 0.0))
    model = {
        "distance_mean": np.float64(distance.mean()),
        "distance_std": np.float64(distance.std() or 1.0),
        "prior_logit": np.float64(_logit(prior)),
        "origin_codes": origin_codes,
        "origin_logits": origin_logits,
        "destination_codes": destination_codes,
        "destination_logits": destination_logits,
    }
    features = _features(columns, model)
    fit_rows = np.arange(len(labels))
    if len(fit_rows) > MAX_FIT_ROWS:
        fit_rows = np.sort(np.random.default_rng(0).choice(fit_rows, MAX_FIT_ROWS, replace=False))
    regression = LogisticRegression(max_iter=500).fit(features[fit_rows], labels[fit_rows])
    model["coefficients"] = regression.coef_[0].astype(np.float64)
    model["intercept"] = np.float64(regression.intercept_[0])

    # Written to a temporary file and renamed, so a worker never loads half a model.
    temporary = f"{path}.{os.getpid()}.tmp.npz"
    np.savez(temporary, **model)
    os.replace(temporary, path)

    scores = _probabilities(columns, model)
    return {
        "rows": int(len(labels)),
        "delayedShare": prior,
        "logLoss": float(log_loss(labels, scores)),
        "auc": float(roc_auc_score(labels, scores)),
        "seconds": time.perf_counter() - started,
    }


@handler("predict_delay", batch=True, max_batch_size=64)
def predict_delay(payloads):
    """Score each payload (feature columns and ``path``, the saved model): return, per payload,
    a float64 array of each flight's probability of a delay over 15 minutes. A batch runs as
    one vectorized call."""
    if not payloads:
        return []
    paths = {str(payload["path"]) for payload in payloads}
    if len(paths) != 1:
        raise ValueError(f"invalid batch: payloads name several model files {sorted(paths)}")
    model = _load(paths.pop())
    parts = [_columns(payload) for payload in payloads]
    columns = {name: np.concatenate([part[name] for part in parts]) for name in COLUMNS}
    scores = _probabilities(columns, model)
    bounds = np.cumsum([len(part["hour"]) for part in parts])[:-1]
    return list(np.split(scores, bounds))
