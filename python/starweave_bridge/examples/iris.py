"""A scikit-learn model trained when the worker starts, on the iris data set that
scikit-learn ships: ``--handlers starweave_bridge.examples.iris``."""

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

from ..registry import handler

_data = load_iris()
MODEL = LogisticRegression(max_iter=1000).fit(_data.data, _data.target)
#: The class names, in the column order of ``predict_proba``.
CLASSES = [str(name) for name in _data.target_names]


@handler("iris_classes")
def iris_classes(payload):
    """Return the class names in column order."""
    return CLASSES


@handler("iris_predict_proba", batch=True, max_batch_size=1024)
def iris_predict_proba(rows):
    """Return the class probabilities of each row of four measurements (cm), one float64 array
    per row; a batch runs as one vectorized call."""
    features = np.asarray([np.asarray(row, dtype=np.float64).reshape(4) for row in rows])
    return list(MODEL.predict_proba(features))
