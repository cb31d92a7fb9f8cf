"""The NumPy models of the part "The math, run", in one namespace.

The code lives in three modules, one job each; the pages import it from here:

* :mod:`rnnbook.cells`: the forward passes of SimpleRNN, LSTM, GRU and
  Bidirectional layers in Keras' storage convention, and a Keras layer's
  weights as NumPy arrays;
* :mod:`rnnbook.bptt`: backpropagation through time, the backend's automatic
  gradients that check it, clipping of one gradient and the spectral radius;
* :mod:`rnnbook.chartrain`: a character-level SimpleRNN trained and sampled
  in NumPy.

:func:`source_code` shows such code on a page.
"""

from __future__ import annotations

import ast
import inspect
import textwrap

from .bptt import (
    Gradients,
    autodiff_gradients,
    clip_by_norm,
    simple_rnn_bptt,
    spectral_radius,
)
from .cells import (
    bidirectional_forward,
    gru_forward,
    lstm_forward,
    sigmoid,
    simple_rnn_forward,
    to_numpy,
    weights_of,
)
from .chartrain import (
    PARAM_NAMES,
    SGD,
    Adam,
    char_batches,
    clip_by_global_norm,
    echo_text,
    init_params,
    keras_weights,
    sample_sequence,
    sequence_forward,
    sequence_loss_and_gradients,
    train_rnn,
)

__all__ = [
    "PARAM_NAMES",
    "SGD",
    "Adam",
    "Gradients",
    "autodiff_gradients",
    "bidirectional_forward",
    "char_batches",
    "clip_by_global_norm",
    "clip_by_norm",
    "echo_text",
    "gru_forward",
    "init_params",
    "keras_weights",
    "lstm_forward",
    "sample_sequence",
    "sequence_forward",
    "sequence_loss_and_gradients",
    "sigmoid",
    "simple_rnn_bptt",
    "simple_rnn_forward",
    "source_code",
    "spectral_radius",
    "to_numpy",
    "train_rnn",
    "weights_of",
]


def source_code(*objects):
    """The source of functions, classes or methods without their docstrings, highlighted.

    For a page that shows the code it runs: the result displays in a
    notebook as syntax-highlighted Python.

    Parameters
    ----------
    *objects : function, class or method
        Defined in a source file; shown in the order given, separated by a
        blank line.

    Returns
    -------
    IPython.display.Code
        Its ``data`` attribute holds the text.

    Raises
    ------
    ValueError
        If nothing is given or an object has no source file (a built-in, a
        value, or a function typed into the interpreter).

    Examples
    --------
    >>> print(source_code(SGD.update).data)
    def update(self, params, grads):
        _check_update(params, grads)
        for name, g in grads.items():
            params[name] -= self.learning_rate * g
    """
    from IPython.display import Code

    class SourceCode(Code):
        """IPython's highlighted code, without the style rules it sets for the whole page."""

        def _repr_html_(self):
            style, code = super()._repr_html_().split("</style>", 1)
            rules = style.removeprefix("<style>").splitlines()
            scoped = [rule for rule in rules if rule.startswith(".output_html")]
            return "<style>" + "\n".join(scoped) + "</style>" + code

    if not objects:
        raise ValueError("source_code needs at least one function, class or method to show")
    parts = []
    for obj in objects:
        try:
            source = textwrap.dedent(inspect.getsource(obj))
        except (TypeError, OSError) as error:
            raise ValueError(
                f"cannot show the source of {obj!r}: pass a function, class or method "
                f"defined in a file ({error})"
            ) from None
        lines = source.splitlines()
        drop = set()
        for node in ast.walk(ast.parse(source)):
            body = getattr(node, "body", None)
            if (
                isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                end = body[0].end_lineno  # the line after the docstring, 0-based
                blank = end < len(lines) and not lines[end].strip()
                drop.update(range(body[0].lineno - 1, end + blank))
        parts.append("\n".join(line for i, line in enumerate(lines) if i not in drop))
    return SourceCode("\n\n".join(parts), language="python")
