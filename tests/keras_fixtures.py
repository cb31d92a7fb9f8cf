"""Shapes, tolerance and helpers shared by the tests of rnnbook.cells and rnnbook.bptt."""

import numpy as np

TOL = {"rtol": 1e-5, "atol": 1e-5}  # float32 rounding
BATCH, TIME, FEATURES, UNITS = 3, 9, 4, 5
K, R, B = np.zeros((FEATURES, UNITS)), np.zeros((UNITS, UNITS)), np.zeros(UNITS)


def random_inputs() -> np.ndarray:
    """A float32 batch of shape (BATCH, TIME, FEATURES), the same in every test."""
    rng = np.random.default_rng(0)
    return rng.normal(size=(BATCH, TIME, FEATURES)).astype("float32")


def built(layer, x, seed=1):
    """Call the layer once, then give it random (not initial) weights."""
    layer(x)
    rng = np.random.default_rng(seed)
    for weight in layer.weights:
        weight.assign((0.5 * rng.normal(size=weight.shape)).astype("float32"))
    return layer
