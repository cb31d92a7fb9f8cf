"""Tests of rnnbook.models, and that the chapters build the same models."""

import ast
import json
import re
from functools import partial
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers

import rnnbook
from rnnbook import models
from rnnbook.models import REFERENCE_MODELS, AttentionPooling, conv1d
from rnnbook.profiles import get_profile
from rnnbook.records import run_key

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


def test_the_reference_hybrid_has_no_recurrent_layer():
    assert not [layer for layer in conv1d().layers if isinstance(layer, layers.RNN)]
    for name in ("Basic RNN", "Stacked RNN", "Bidirectional RNN"):
        model = REFERENCE_MODELS[name]()
        assert any(isinstance(layer, (layers.RNN, layers.Bidirectional)) for layer in model.layers)


# Beyond the reference: weight counts from the formulas (embedding 5000 x 32,
# 32 units): LSTM 4 (32 (32 + 32) + 32), GRU with reset_after 3 (32 (32 + 32) + 2 32).
BEYOND_PARAMS = {
    models.lstm: 160_000 + 4 * (32 * 64 + 32) + 33,
    models.gru: 160_000 + 3 * (32 * 64 + 64) + 33,
    models.bidirectional_lstm: 160_000 + 2 * 4 * (32 * 64 + 32) + 65,
    models.attention_lstm: 160_000 + 4 * (32 * 64 + 32) + (32 * 32 + 32 + 32) + 33,
    models.conv_rnn_hybrid: 160_000 + (7 * 32 * 32 + 32) + (32 * 64 + 32) + 33,
    models.tfidf_logistic: models.TFIDF_FEATURES + 1,
}


@pytest.mark.parametrize("build", BEYOND_PARAMS, ids=lambda b: b.__name__)
def test_parameter_counts_follow_the_formulas(build):
    assert build(5000, 500).count_params() == BEYOND_PARAMS[build]


def test_gated_models_mask_padding_and_the_reference_does_not():
    for build in (models.lstm, models.gru, models.bidirectional_lstm, models.attention_lstm):
        assert build().layers[0].mask_zero
    assert not models.basic_rnn().layers[0].mask_zero
    assert models.basic_rnn(mask_zero=True).layers[0].mask_zero
    assert not models.lstm(mask_zero=False).layers[0].mask_zero


def test_dropout_option_sets_both_dropouts():
    cell = models.basic_rnn(dropout=0.2).layers[1]
    assert (cell.dropout, cell.recurrent_dropout) == (0.2, 0.2)
    plain = models.basic_rnn().layers[1]
    assert (plain.dropout, plain.recurrent_dropout) == (0.0, 0.0)


def test_attention_weights_sum_to_one_and_skip_padding():
    keras.utils.set_random_seed(0)
    model = models.attention_lstm(num_words=50, maxlen=8)
    x = np.array([[0, 0, 0, 5, 6, 7, 8, 9], [1, 2, 3, 4, 5, 6, 7, 8]], dtype="int32")
    weights = models.attention_weights(model, x)
    assert weights.shape == (2, 8)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(weights[0, :3] == 0) and np.all(weights[0, 3:] > 0)
    assert np.all(weights[1] > 0)
    assert model(x).shape == (2, 1)


def test_attention_pooling_is_the_weighted_sum():
    keras.utils.set_random_seed(0)
    pool = AttentionPooling(4)
    h = np.random.default_rng(0).normal(size=(3, 5, 6)).astype("float32")
    out = np.asarray(pool(h))
    weights = np.asarray(pool.scores(h))
    np.testing.assert_allclose(out, np.einsum("bt,btf->bf", weights, h), rtol=1e-5, atol=1e-6)


def test_attention_pooling_round_trips_through_its_config():
    pool = AttentionPooling(7)
    assert AttentionPooling.from_config(pool.get_config()).units == 7
    with pytest.raises(ValueError, match="units must be a positive integer, got 0"):
        AttentionPooling(0)


def test_attention_weights_need_an_attention_layer():
    with pytest.raises(ValueError, match="model 'basic_rnn' has no AttentionPooling layer"):
        models.attention_weights(models.basic_rnn(50, 8), np.ones((1, 8), "int32"))


def architecture(model):
    """What defines a model's computation: its run key under one profile."""
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return run_key(model, get_profile("full"))


def code_cells(path):
    """(source, tags) of each code cell of a notebook."""
    cells = json.loads(path.read_text())["cells"]
    return [
        ("".join(c["source"]), c["metadata"].get("tags", []))
        for c in cells
        if c["cell_type"] == "code"
    ]


def parse(source):
    """The cell's syntax tree; None for a cell with IPython magics (the setup cell)."""
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def is_hyperparameter_cell(source):
    """Named constants with a comment each, and imports (AUTHORING.md), nothing else."""
    tree = parse(source)
    if tree is None or not tree.body:
        return False
    lines = source.splitlines()
    for node in tree.body:
        if isinstance(node, ast.Assign):
            if "#" not in lines[node.end_lineno - 1]:
                return False
        elif not isinstance(node, (ast.Import, ast.ImportFrom)):
            return False
    return True


def page_namespace(path):
    """The page's imports and its own hyperparameter cell, run under the full profile."""
    cells = code_cells(path)
    first = next(i for i, (_, tags) in enumerate(cells) if "model-definition" in tags)
    constants = [source for source, _ in cells[:first] if is_hyperparameter_cell(source)]
    assert len(constants) == 1, f"{path.name}: expected one hyperparameter cell, got {constants}"
    namespace = {"rnnbook": rnnbook, "profile": get_profile("full")}
    for source, _ in cells:
        tree = parse(source)
        if tree is not None:
            imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            exec(compile(ast.Module(imports, []), path.name, "exec"), namespace)
    exec(constants[0], namespace)
    return namespace


def notebook_models(path):
    """Run a chapter's model-definition cells, with its own hyperparameters; return the models."""
    namespace = page_namespace(path)
    sources = [source for source, tags in code_cells(path) if "model-definition" in tags]
    built = []
    for source in sources:
        before = {k: v for k, v in namespace.items() if isinstance(v, keras.Model)}
        exec(re.sub(r"^\w+\.summary\(\)$", "", source, flags=re.MULTILINE), namespace)
        new = [
            v
            for k, v in namespace.items()
            if isinstance(v, keras.Model) and before.get(k) is not v and v not in built
        ]
        assert len(new) == 1, f"{path.name}: a model-definition cell must build one model"
        built.append(new[0])
    return built


def test_a_page_that_changes_its_hyperparameters_builds_another_model(tmp_path):
    """The pages' models are built with the pages' own constants, not the test's."""
    page = json.loads((BOOK / "imdb" / "basic-rnn.ipynb").read_text())
    for cell in page["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "code" and is_hyperparameter_cell(source):
            cell["source"] = source.replace("units = 32", "units = 16")
    changed = tmp_path / "basic-rnn.ipynb"
    changed.write_text(json.dumps(page))
    (model,) = notebook_models(changed)
    assert model.layers[1].units == 16
    assert architecture(model) != architecture(REFERENCE_MODELS["Basic RNN"](5000, 500))


CHAPTERS = {
    "Basic RNN": ("basic-rnn.ipynb", "basic_rnn"),
    "Stacked RNN": ("stacked-rnn.ipynb", "stacked_rnn"),
    "Bidirectional RNN": ("bidirectional-rnn.ipynb", "bidirectional_rnn"),
    'Conv1D ("Hybrid RNN with Conv1D")': ("convolution-and-hybrids.ipynb", "conv1d"),
}


@pytest.mark.parametrize("name", CHAPTERS)
def test_chapters_build_the_package_models(name):
    notebook, model_name = CHAPTERS[name]
    built = {model.name: model for model in notebook_models(BOOK / "imdb" / notebook)}
    assert model_name in built, f"{notebook} has no model-definition cell for {model_name}"
    assert architecture(built[model_name]) == architecture(REFERENCE_MODELS[name](5000, 500))


# The model-definition cells of each chapter beyond the reference, in order.
BEYOND_CHAPTERS = {
    "convolution-and-hybrids.ipynb": [models.conv1d, models.conv_rnn_hybrid],
    "overfitting.ipynb": [models.basic_rnn, partial(models.basic_rnn, dropout=0.2)],
    "padding-and-masking.ipynb": [models.basic_rnn, partial(models.basic_rnn, mask_zero=True)],
    "lstm-and-gru.ipynb": [models.lstm, models.gru, models.bidirectional_lstm],
    "attention.ipynb": [models.attention_lstm],
    "baseline.ipynb": [models.tfidf_logistic],
    "levers.ipynb": [lambda *_: models.lstm(20_000, 800), models.nb_logistic],
}


@pytest.mark.parametrize("notebook", BEYOND_CHAPTERS)
def test_chapters_beyond_the_reference_build_the_package_models(notebook):
    built = notebook_models(BOOK / "imdb" / notebook)
    expected = [build(5000, 500) for build in BEYOND_CHAPTERS[notebook]]
    assert [m.name for m in built] == [m.name for m in expected]
    for model, reference in zip(built, expected):
        assert architecture(model) == architecture(reference), model.name


def test_every_page_with_a_model_definition_is_checked():
    tagged = {
        path.name
        for path in (BOOK / "imdb").glob("*.ipynb")
        if any("model-definition" in tags for _, tags in code_cells(path))
    }
    checked = {notebook for notebook, _ in CHAPTERS.values()} | set(BEYOND_CHAPTERS)
    assert tagged == checked
