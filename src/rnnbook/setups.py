"""The setups of the variance study: which model, trained how, with which seeds.

Three groups, each read by the chapters named:

* ``comparison``: every model the comparison chapter sets side by side
  (the reference's four, the true hybrid, LSTM, GRU, bidirectional LSTM,
  LSTM with attention, the TF-IDF baseline), five seeds each;
* ``overfitting``: the basic RNN with early stopping, dropout and both,
  five seeds each;
* ``masking``: padding, truncation and masking for SimpleRNN and LSTM,
  three seeds each, and the bidirectional SimpleRNN with a mask;
* ``levers``: the LSTM with one limit of the reference lifted or one kind
  of pretraining (more words, longer reviews, larger layers, word2vec
  vectors, a language model), the levers combined, and a stronger linear
  baseline (NB-weighted features), three seeds each.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from keras.layers import RNN, Embedding

from . import models as m
from .models import REFERENCE_MODELS

__all__ = ["PATIENCE", "STUDY_MODELS", "Setup", "group", "protocol"]


@dataclass(frozen=True)
class Setup:
    """One model of the study and how it is trained.

    Attributes
    ----------
    build : callable
        ``build(num_words, maxlen)`` returns the uncompiled model.
    group : str
        ``"comparison"``, ``"overfitting"`` or ``"masking"``: the chapter
        that reads it.
    padding, truncating : {"pre", "post"}
        Passed to :func:`rnnbook.load_imdb`.
    early_stopping : int or None
        Patience of ``keras.callbacks.EarlyStopping`` on the validation
        loss, with the best epoch's weights restored; ``None`` trains every
        epoch of the profile.
    features : {None, "tfidf", "nb"}
        ``"tfidf"``: the model reads :func:`rnnbook.features.tfidf` vectors
        of the reviews instead of word indices; ``"nb"``:
        :func:`rnnbook.features.nb_weighted` vectors.
    seeds : tuple of int
        Seeds ``make study`` trains it with.
    num_words, maxlen : int or None
        Vocabulary size and tokens kept per review, when they differ from
        the profile's.
    embedding : {None, "word2vec"}
        ``"word2vec"``: the ``Embedding`` layer starts from
        :func:`rnnbook.levers.word2vec_vectors` of the training reviews.
    pretraining : {None, "language model"}
        ``"language model"``: :func:`rnnbook.levers.pretrain_language_model`
        before ``fit``.
    keep_predictions : bool
        Keep the tested weights' probabilities of the validation and test
        reviews in the run (:attr:`rnnbook.records.Run.predictions`).

    Examples
    --------
    >>> Setup(m.lstm, early_stopping=2).options()
    {'early_stopping': 2}
    """

    build: Callable
    group: str = "comparison"
    padding: str = "pre"
    truncating: str = "pre"
    early_stopping: int | None = None
    features: str | None = None
    seeds: tuple = (1, 2, 3, 4, 5)
    num_words: int | None = None
    maxlen: int | None = None
    embedding: str | None = None
    pretraining: str | None = None
    keep_predictions: bool = False

    def options(self) -> dict:
        """The training options that differ from the reference protocol's."""
        defaults = Setup(self.build)
        return {
            key: getattr(self, key)
            for key in (
                "padding",
                "truncating",
                "early_stopping",
                "features",
                "num_words",
                "maxlen",
                "embedding",
                "pretraining",
                "keep_predictions",
            )
            if getattr(self, key) != getattr(defaults, key)
        }

    def sizes(self, profile) -> tuple[int, int]:
        """``(num_words, maxlen)`` under a profile: the setup's own, else the profile's.

        Examples
        --------
        >>> from rnnbook.profiles import get_profile
        >>> Setup(m.lstm, num_words=20_000).sizes(get_profile("full"))
        (20000, 500)
        """
        return (self.num_words or profile.num_words, self.maxlen or profile.maxlen)


PATIENCE = 2
"""Early-stopping patience (epochs) of every early-stopped model of the book."""

_COMPARISON = {
    **{name: Setup(build) for name, build in REFERENCE_MODELS.items()},
    "Conv1D + SimpleRNN hybrid": Setup(m.conv_rnn_hybrid),
    "LSTM": Setup(m.lstm, early_stopping=PATIENCE),
    "GRU": Setup(m.gru, early_stopping=PATIENCE),
    "Bidirectional LSTM": Setup(m.bidirectional_lstm, early_stopping=PATIENCE),
    "LSTM + attention": Setup(m.attention_lstm, early_stopping=PATIENCE),
    "TF-IDF + logistic regression": Setup(
        m.tfidf_logistic, early_stopping=PATIENCE, features="tfidf"
    ),
}
_OVERFITTING = {
    "Basic RNN + early stopping": Setup(m.basic_rnn, "overfitting", early_stopping=PATIENCE),
    "Basic RNN + dropout": Setup(partial(m.basic_rnn, dropout=0.2), "overfitting"),
    "Basic RNN + dropout + early stopping": Setup(
        partial(m.basic_rnn, dropout=0.2), "overfitting", early_stopping=PATIENCE
    ),
}


def _masking() -> dict:
    """SimpleRNN (reference protocol) and LSTM (early stopping) under padding variants.

    The two default variants are the comparison's "Basic RNN" and "LSTM".
    """
    out = {}
    for cell, build, patience, default_mask in (
        ("SimpleRNN", m.basic_rnn, None, False),
        ("LSTM", m.lstm, PATIENCE, True),
    ):
        for padding, truncating, mask in (
            ("pre", "pre", not default_mask),
            ("post", "pre", False),
            ("post", "pre", True),
            ("pre", "post", default_mask),
        ):
            state = "on" if mask else "off"
            name = f"{cell}: {padding}-padding, {truncating}-truncation, mask {state}"
            out[name] = Setup(
                partial(build, mask_zero=mask),
                "masking",
                padding=padding,
                truncating=truncating,
                early_stopping=patience,
                seeds=(1, 2, 3),
            )
    return out


def _levers() -> dict:
    """The LSTM of the comparison with one lever pulled, then the levers together."""
    lever = partial(Setup, build=m.lstm, group="levers", early_stopping=PATIENCE, seeds=(1, 2, 3))
    return {
        "LSTM, 20,000 words": lever(num_words=20_000),
        "LSTM, 800 tokens": lever(maxlen=800),
        "LSTM, 64 units": lever(build=partial(m.lstm, units=64)),
        "LSTM, word2vec vectors, frozen": lever(
            build=partial(m.lstm, trainable_embedding=False), embedding="word2vec"
        ),
        "LSTM, word2vec vectors, fine-tuned": lever(embedding="word2vec"),
        "LSTM, language-model pretraining": lever(pretraining="language model"),
        "LSTM, 20,000 words, 800 tokens, word2vec": lever(
            num_words=20_000,
            maxlen=800,
            embedding="word2vec",
            keep_predictions=True,
        ),
        "NB-weighted features + logistic regression": Setup(
            m.nb_logistic,
            "levers",
            early_stopping=PATIENCE,
            features="nb",
            seeds=(1, 2, 3),
            keep_predictions=True,
        ),
    }


STUDY_MODELS = {
    **_COMPARISON,
    **_OVERFITTING,
    **_masking(),
    "Bidirectional RNN: mask on": Setup(
        partial(m.bidirectional_rnn, mask_zero=True), "masking", seeds=(1, 2, 3)
    ),
    **_levers(),
}
"""Every setup of the study, by name."""


def group(name: str) -> dict:
    """The setups of one group, by name, in the study's order.

    Raises
    ------
    ValueError
        For an unknown group.

    Examples
    --------
    >>> list(group("overfitting"))[0]
    'Basic RNN + early stopping'
    """
    out = {key: setup for key, setup in STUDY_MODELS.items() if setup.group == name}
    if not out:
        groups = sorted({setup.group for setup in STUDY_MODELS.values()})
        raise ValueError(f"unknown study group {name!r}: choose one of {groups}")
    return out


def _layers(model):
    """Every layer of a model, wrapped ones (Bidirectional's, TimeDistributed's) included."""
    for layer in model.layers:
        yield layer
        for inner in ("forward_layer", "backward_layer", "layer"):
            if hasattr(layer, inner):
                yield getattr(layer, inner)


def protocol(name: str) -> dict:
    """How a setup of the study was trained, beyond its architecture.

    What a comparison must hold equal before it credits the architecture:
    a mask over the padding, early stopping, dropout, where reviews are
    padded and cut, and the number of seeds.

    Parameters
    ----------
    name : str
        A setup of :data:`STUDY_MODELS`.

    Returns
    -------
    dict
        ``mask``, ``early stopping`` and ``dropout`` ("yes"/"no"; early
        stopping with its patience), ``padding`` (padding/truncation side,
        e.g. "pre/pre"), ``levers`` (what it changes of the reference's
        vocabulary, review length, layer size and starting weights, as in
        the levers chapter; "no" for none) and ``seeds``.

    Raises
    ------
    KeyError
        If ``name`` is not a setup of the study.

    Examples
    --------
    >>> sorted(protocol("LSTM").items())  # doctest: +NORMALIZE_WHITESPACE
    [('dropout', 'no'), ('early stopping', 'yes (2)'), ('levers', 'no'),
     ('mask', 'yes'), ('padding', 'pre/pre'), ('seeds', 5)]
    >>> protocol("LSTM, 20,000 words, 800 tokens, word2vec")["levers"]
    '20,000 words, 800 tokens, word2vec'
    >>> protocol("Basic RNN + dropout")["dropout"]
    'yes'
    """
    if name not in STUDY_MODELS:
        raise KeyError(f"{name!r} is not a setup of rnnbook.setups.STUDY_MODELS")
    setup = STUDY_MODELS[name]
    layers = list(_layers(setup.build(5000, 500)))
    masked = any(getattr(layer, "mask_zero", False) for layer in layers)
    dropout = any(
        getattr(layer, attr, 0) or 0
        for layer in layers
        for attr in ("dropout", "recurrent_dropout", "rate")
    )
    stopping = setup.early_stopping
    return {
        "mask": "yes" if masked else "no",
        "early stopping": f"yes ({stopping})" if stopping is not None else "no",
        "dropout": "yes" if dropout else "no",
        "padding": f"{setup.padding}/{setup.truncating}",
        "levers": _levers_of(setup, layers),
        "seeds": len(setup.seeds),
    }


def _levers_of(setup: Setup, layers) -> str:
    """What a setup changes of the reference's limits and starting point, or "no"."""
    out = []
    if setup.num_words:
        out.append(f"{setup.num_words:,} words")
    if setup.maxlen:
        out.append(f"{setup.maxlen} tokens")
    units = {getattr(layer, "units", m.UNITS) for layer in layers if isinstance(layer, RNN)}
    out += [f"{u} units" for u in sorted(units - {m.UNITS})]
    if setup.embedding:
        frozen = any(isinstance(x, Embedding) and not x.trainable for x in layers)
        out.append(f"{setup.embedding}{' (frozen)' if frozen else ''}")
    if setup.pretraining:
        out.append(f"{setup.pretraining} pretraining")
    if setup.features == "nb":
        out.append("NB weights")
    return ", ".join(out) or "no"
