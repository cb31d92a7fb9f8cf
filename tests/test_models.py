"""Tests of rnnbook.models, and that the chapters build the same models."""

import json
from pathlib import Path

import keras
import pytest
from keras import layers

from rnnbook.experiment import architecture
from rnnbook.models import REFERENCE_ACCURACY, REFERENCE_MODELS, conv1d
from rnnbook.profiles import get_profile

BOOK = Path(__file__).resolve().parents[1] / "book"

# Weight counts of the reference's Keras code (Embedding(5000, 32) and 32 units).
REFERENCE_PARAMS = {
    "Basic RNN": 162_113,
    "Stacked RNN": 164_193,
    "Bidirectional RNN": 164_225,
    'Conv1D ("Hybrid RNN with Conv1D")': 167_233,
}


@pytest.mark.parametrize("name", REFERENCE_PARAMS)
def test_parameter_counts_equal_the_reference(name):
    assert REFERENCE_MODELS[name](5000, 500).count_params() == REFERENCE_PARAMS[name]


def test_reference_accuracies_are_the_reported_ones():
    assert REFERENCE_ACCURACY == {
        "Basic RNN": 80.33,
        "Stacked RNN": 74.89,
        "Bidirectional RNN": 76.02,
        'Conv1D ("Hybrid RNN with Conv1D")': 86.98,
    }


def test_the_reference_hybrid_has_no_recurrent_layer():
    assert not [layer for layer in conv1d().layers if isinstance(layer, layers.RNN)]
    for name in ("Basic RNN", "Stacked RNN", "Bidirectional RNN"):
        model = REFERENCE_MODELS[name]()
        assert any(isinstance(layer, (layers.RNN, layers.Bidirectional)) for layer in model.layers)


def notebook_models(path):
    """Run a chapter's model-definition cells and return the models they build."""
    cells = json.loads(path.read_text())["cells"]
    sources = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "model-definition" in c["metadata"].get("tags", [])
    ]
    profile = get_profile("full")
    namespace = {
        "keras": keras,
        "layers": layers,
        "num_words": profile.num_words,
        "maxlen": profile.maxlen,
        "embedding_dim": 32,
        "units": 32,
        "filters": 32,
        "kernel_size": 7,
        "pool_size": 5,
        "seed": 1,
    }
    models = []
    for source in sources:
        exec(source.replace("model.summary()", "").replace(".summary()", ""), namespace)
        models.append(
            next(v for k, v in namespace.items() if isinstance(v, keras.Model) and v not in models)
        )
    return {model.name: model for model in models}


CHAPTERS = {
    "Basic RNN": ("basic-rnn.ipynb", "basic_rnn"),
    "Stacked RNN": ("stacked-rnn.ipynb", "stacked_rnn"),
    "Bidirectional RNN": ("bidirectional-rnn.ipynb", "bidirectional_rnn"),
    'Conv1D ("Hybrid RNN with Conv1D")': ("convolution-and-hybrids.ipynb", "conv1d"),
}


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapters_build_the_package_models(name):
    notebook, model_name = CHAPTERS[name]
    models = notebook_models(BOOK / "imdb" / notebook)
    assert model_name in models, f"{notebook} has no model-definition cell for {model_name}"
    assert architecture(models[model_name]) == architecture(REFERENCE_MODELS[name](5000, 500))
