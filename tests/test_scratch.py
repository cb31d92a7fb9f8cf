"""rnnbook.scratch: the pages' one namespace for the NumPy models, and source_code.

The models are tested in the modules that hold them (``test_cells.py``,
``test_bptt.py``, ``test_chartrain.py``). The main pytest process runs on
the backend in ``$KERAS_BACKEND`` (JAX in this repository);
``test_keras_equality_on_tensorflow`` reruns those modules on TensorFlow in a
subprocess, so the equalities with Keras hold on both backends.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import pytest

from rnnbook import scratch
from rnnbook.scratch import SGD, Adam, clip_by_global_norm, source_code

MODULES = ("cells", "bptt", "chartrain")


def test_scratch_exports_the_objects_of_the_three_modules():
    exported = set(scratch.__all__) - {"source_code"}
    found = set()
    for name in MODULES:
        module = importlib.import_module(f"rnnbook.{name}")
        for obj_name in module.__all__:
            assert getattr(scratch, obj_name) is getattr(module, obj_name), obj_name
        found |= set(module.__all__)
    assert exported == found


def test_source_code_shows_the_code_without_docstrings():
    code = source_code(clip_by_global_norm, Adam.update).data
    assert code.startswith("def clip_by_global_norm(grads, theta):\n")
    assert "def update(self, params, grads):" in code  # a method, dedented
    assert "norm = " in code and "params[name] -= " in code
    assert "Parameters" not in code and "Change ``params`` in place" not in code
    assert source_code(SGD).data.startswith("class SGD:\n    def __init__")
    style, html = source_code(SGD.update)._repr_html_().split("</style>")
    rules = style.removeprefix("<style>").splitlines()
    assert rules and all(rule.startswith(".output_html") for rule in rules)  # no page-wide rule
    assert '<span class="k">for</span>' in html  # highlighted


def test_source_code_errors_name_the_fix():
    with pytest.raises(ValueError, match="needs at least one function"):
        source_code()
    with pytest.raises(ValueError, match="pass a function, class or method defined in a file"):
        source_code(len)


def test_keras_equality_on_tensorflow():
    if keras.backend.backend() == "tensorflow":
        pytest.skip("this process already runs on TensorFlow")
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("TensorFlow is not installed")
    env = {**os.environ, "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "2"}
    here = Path(__file__).parent
    files = [str(here / f"test_{name}.py") for name in MODULES]
    result = subprocess.run(
        [sys.executable, "-m", "pytest", *files, "-q", "-p", "no:cacheprovider"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    passed = re.search(r"(\d+) passed", output)
    assert passed and int(passed.group(1)) > 0, output[-3000:]
