"""A character-level SimpleRNN trained and sampled in NumPy.

Next-character prediction, all in NumPy: a generated text (:func:`echo_text`,
:func:`char_batches`), the loss and its gradients by full or truncated BPTT
(:func:`sequence_loss_and_gradients`), clipping (:func:`clip_by_global_norm`),
two optimizers (:class:`SGD`, :class:`Adam`, step for step as Keras'), the
loop (:func:`train_rnn`) and sampling from the trained model
(:func:`sample_sequence`).

The parameters are a dict of arrays named and shaped as in the book's
equations, ``h_t = tanh(W_xh x_t + W_hh h_{t-1} + b_h)`` and
``y_hat_t = softmax(W_hy h_t + b_y)``, with ``W_xh`` (n, d), ``W_hh`` (n, n),
``b_h`` (n,), ``W_hy`` (V, n) and ``b_y`` (V,). The Keras model
``SimpleRNN(n, return_sequences=True)`` + ``Dense(V)`` holds the same numbers
as ``[W_xh.T, W_hh.T, b_h, W_hy.T, b_y]`` (:func:`keras_weights`).
"""

from __future__ import annotations

import functools

import numpy as np
from threadpoolctl import threadpool_limits

from .bptt import simple_rnn_bptt
from .cells import _check_sequence, simple_rnn_forward
from .textgen import sample_next

__all__ = [
    "PARAM_NAMES",
    "SGD",
    "Adam",
    "char_batches",
    "clip_by_global_norm",
    "echo_text",
    "init_params",
    "keras_weights",
    "sample_sequence",
    "sequence_forward",
    "sequence_loss_and_gradients",
    "train_rnn",
]


def _one_blas_thread(function):
    """Run ``function`` with one BLAS thread.

    Its matrices are small (a batch of states times an n x n matrix), and
    BLAS threads cost more to start and join than they save: several times
    the CPU time, and more wall time, where other processes use the cores.
    """

    @functools.wraps(function)
    def one_thread(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return function(*args, **kwargs)

    return one_thread


PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
"""The names of the parameters of the character-level RNN, in Keras' order."""


def echo_text(num_words, gap=5, letters="abcd", seed=0):
    """A generated text in which a letter comes back ``gap + 1`` characters later.

    Every word is a random letter, the digits ``1 ... gap``, the same letter
    again and a space, e.g. ``"c12345c a12345a "`` for ``gap=5``. Predicting
    the next character is easy everywhere but at two places: the first letter
    of a word is a uniform guess among ``letters``, and the last one can be
    predicted only by a model that remembers the first letter across the
    ``gap`` digits.

    Parameters
    ----------
    num_words : int
        Number of words, at least 1.
    gap : int
        Digits between the two letters, 1 to 9.
    letters : str
        The letters drawn from (no digits, no spaces, no repeats).
    seed : int
        Seed of the random letters.

    Returns
    -------
    str
        ``num_words * (gap + 3)`` characters.

    Raises
    ------
    ValueError
        If a size is out of range or ``letters`` holds a digit, space or repeat.

    Examples
    --------
    >>> echo_text(3, gap=3, seed=1)
    'b123b c123c d123d '
    """
    _positive_int("num_words", num_words)
    if not (isinstance(gap, int | np.integer) and 1 <= gap <= 9):
        raise ValueError(f"gap must be an integer from 1 to 9 (one digit per step); got {gap!r}")
    if (
        not letters
        or len(set(letters)) != len(letters)
        or any(c.isdigit() or c.isspace() for c in letters)
    ):
        raise ValueError(
            f"letters must be distinct characters, none a digit or a space; got {letters!r}"
        )
    digits = "123456789"[:gap]
    chosen = np.random.default_rng(seed).choice(list(letters), size=num_words)
    return "".join(f"{letter}{digits}{letter} " for letter in chosen)


def char_batches(ids, batch_size, timesteps, steps, seed=0):
    """Cut random windows out of an encoded text, for next-character prediction.

    Batch ``s`` holds ``batch_size`` windows of ``timesteps + 1`` characters
    starting at random places; the inputs are the first ``timesteps``
    characters of each window and the targets the last ``timesteps``, so that
    ``targets[s, b, t] == inputs[s, b, t + 1]``: at every step the target
    ``y_t`` is the next character.

    Parameters
    ----------
    ids : array of int, shape (length,)
        The text as character indices.
    batch_size : int
        Windows per batch.
    timesteps : int
        Steps per window, ``T``; ``length`` must exceed it.
    steps : int
        Number of batches (one per training step).
    seed : int
        Seed of the window starts.

    Returns
    -------
    inputs, targets : numpy.ndarray
        Integer arrays of shape ``(steps, batch_size, timesteps)``.

    Raises
    ------
    ValueError
        If ``ids`` is not 1-D or too short, or a size is not positive.

    Examples
    --------
    >>> inputs, targets = char_batches(np.arange(10), batch_size=2, timesteps=3, steps=4)
    >>> inputs.shape
    (4, 2, 3)
    >>> bool((inputs[..., 1:] == targets[..., :-1]).all())
    True
    """
    ids = np.asarray(ids)
    for name, value in (("batch_size", batch_size), ("timesteps", timesteps), ("steps", steps)):
        _positive_int(name, value)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(
            f"ids must be a 1-D integer array (the text as character indices); "
            f"got dtype {ids.dtype} and shape {ids.shape}"
        )
    if ids.size <= timesteps:
        raise ValueError(
            f"ids has {ids.size} characters, too few for windows of timesteps + 1 = "
            f"{timesteps + 1}: use a longer text or fewer timesteps"
        )
    starts = np.random.default_rng(seed).integers(0, ids.size - timesteps, (steps, batch_size))
    windows = ids[starts[..., None] + np.arange(timesteps + 1)]
    return windows[..., :-1], windows[..., 1:]


def init_params(vocab_size, units, seed=0, dtype="float32"):
    """Initial parameters of a character-level RNN, drawn as Keras draws them.

    ``W_xh`` and ``W_hy`` are Glorot-uniform, ``W_hh`` is a random orthogonal
    matrix, the biases are zeros (Keras' defaults for ``SimpleRNN`` and
    ``Dense``). The input is a one-hot vector, so ``d = V``.

    Parameters
    ----------
    vocab_size : int
        ``V``, the number of characters.
    units : int
        ``n``, the size of the hidden state.
    seed : int
        Seed of the random draws.
    dtype : str
        ``"float32"`` (as Keras) or ``"float64"``.

    Returns
    -------
    dict of str to numpy.ndarray
        ``W_xh`` (n, V), ``W_hh`` (n, n), ``b_h`` (n,), ``W_hy`` (V, n),
        ``b_y`` (V,).

    Raises
    ------
    ValueError
        If a size is not a positive integer.

    Examples
    --------
    >>> params = init_params(vocab_size=10, units=4)
    >>> {name: w.shape for name, w in params.items()}
    {'W_xh': (4, 10), 'W_hh': (4, 4), 'b_h': (4,), 'W_hy': (10, 4), 'b_y': (10,)}
    >>> bool(np.allclose(params["W_hh"] @ params["W_hh"].T, np.eye(4), atol=1e-6))
    True
    """
    for name, value in (("vocab_size", vocab_size), ("units", units)):
        _positive_int(name, value)
    rng = np.random.default_rng(seed)

    def glorot(rows, cols):
        limit = np.sqrt(6.0 / (rows + cols))
        return rng.uniform(-limit, limit, size=(rows, cols))

    q, r = np.linalg.qr(rng.normal(size=(units, units)))
    params = {
        "W_xh": glorot(units, vocab_size),
        "W_hh": q * np.sign(np.diag(r)),
        "b_h": np.zeros(units),
        "W_hy": glorot(vocab_size, units),
        "b_y": np.zeros(vocab_size),
    }
    return {name: w.astype(dtype) for name, w in params.items()}


def keras_weights(params):
    """The parameters in the order and layout of Keras' ``set_weights``.

    For ``keras.Sequential([SimpleRNN(n, return_sequences=True), Dense(V)])``:
    ``kernel = W_xh^T``, ``recurrent_kernel = W_hh^T``, ``bias = b_h``, then
    the ``Dense`` kernel ``W_hy^T`` and bias ``b_y``.

    Examples
    --------
    >>> [w.shape for w in keras_weights(init_params(10, 4))]
    [(10, 4), (4, 4), (4,), (4, 10), (10,)]
    """
    params = _check_params(params)
    return [params["W_xh"].T, params["W_hh"].T, params["b_h"], params["W_hy"].T, params["b_y"]]


def sequence_forward(params, x, h0=None):
    """Predictions ``y_hat_t = softmax(W_hy h_t + b_y)`` at every step.

    Parameters
    ----------
    params : dict
        As :func:`init_params` returns it.
    x : array of shape (batch, time, d)
        The inputs (one-hot characters).
    h0 : array of shape (batch, n), optional
        Initial state; zeros when omitted.

    Returns
    -------
    y_hat : numpy.ndarray of shape (batch, time, V)
        Probabilities of the next character.
    states : numpy.ndarray of shape (batch, time, n)
        The hidden states ``h_1 ... h_T``.

    Raises
    ------
    ValueError
        If a parameter is missing or a shape does not fit.

    Examples
    --------
    >>> params = init_params(vocab_size=5, units=3)
    >>> y_hat, states = sequence_forward(params, np.eye(5)[[[0, 1, 2]]])
    >>> y_hat.shape, states.shape
    ((1, 3, 5), (1, 3, 3))
    >>> bool(np.allclose(y_hat.sum(axis=-1), 1.0))
    True
    """
    params = _check_params(params)
    x = _check_inputs(params, x)
    states = simple_rnn_forward(
        x, params["W_xh"].T, params["W_hh"].T, params["b_h"], h0=h0, return_sequences=True
    )
    log_probs = _log_softmax(states @ params["W_hy"].T + params["b_y"])
    return np.exp(log_probs), states


def sequence_loss_and_gradients(params, x, targets, window=None):
    """Cross-entropy of next-step prediction and its gradients by (truncated) BPTT.

    The loss is the mean over the batch and the steps of
    ``l_t = -log y_hat_t[y_t]`` (Keras' ``SparseCategoricalCrossentropy``).
    Its gradient with respect to the logits is ``(y_hat_t - onehot(y_t)) /
    (batch * T)``; through ``W_hy`` it reaches every state ``h_t``, and
    :func:`simple_rnn_bptt` (with ``grad_states``) carries it back in time.

    With ``window=k`` the sequence is cut into windows of ``k`` steps (the
    last may be shorter). The state flows forward across the cuts, as in the
    full forward pass, so the loss is the same; but the backward pass of each
    window stops at its first step: the gradient ``dL/dh_0`` of a window is
    dropped instead of being passed to the window before. A loss term
    ``l_t`` then reaches the weights only through the steps of its own
    window.

    Parameters
    ----------
    params : dict
        As :func:`init_params` returns it.
    x : array of shape (batch, T, d)
        The inputs (one-hot characters).
    targets : array of int, shape (batch, T)
        The index ``y_t`` of the next character at every step.
    window : int, optional
        ``k`` for truncated BPTT; ``None`` (default) for full BPTT.

    Returns
    -------
    loss : float
        The mean cross-entropy ``L``.
    grads : dict of str to numpy.ndarray
        ``dL/dW`` for every parameter, shaped like it.

    Raises
    ------
    ValueError
        If a shape does not fit, a target is not a character index, or
        ``window`` is not a positive integer.

    Examples
    --------
    >>> params = init_params(vocab_size=5, units=3)
    >>> x, targets = np.eye(5)[[[0, 1, 2, 3]]], np.array([[1, 2, 3, 4]])
    >>> loss, grads = sequence_loss_and_gradients(params, x, targets)
    >>> round(loss, 1)  # about log(5) = 1.6 before training
    1.6
    >>> grads["W_hh"].shape
    (3, 3)
    >>> truncated = sequence_loss_and_gradients(params, x, targets, window=2)
    >>> loss_k, grads_k = truncated  # the same loss, other recurrent gradients
    >>> bool(np.isclose(loss_k, loss)), bool(np.allclose(grads_k["W_hh"], grads["W_hh"]))
    (True, False)
    """
    params, x, targets, window = _check_loss_inputs(params, x, targets, window)
    w_xh, w_hh, b_h, w_hy, b_y = (params[name] for name in PARAM_NAMES)
    k, r = w_xh.T, w_hh.T  # Keras' kernel and recurrent kernel
    batch, steps = targets.shape
    grads = {name: np.zeros_like(w) for name, w in params.items()}
    h, loss = np.zeros((batch, len(b_h)), dtype=x.dtype), 0.0
    for start in range(0, steps, window):  # one window of k steps at a time
        cut = slice(start, start + window)
        xs, ys = x[:, cut], targets[:, cut]
        hs = simple_rnn_forward(xs, k, r, b_h, h0=h, return_sequences=True)
        log_probs = _log_softmax(hs @ w_hy.T + b_y)
        loss -= float(np.take_along_axis(log_probs, ys[..., None], -1).sum())
        # dL/d(scores) = (y_hat_t - onehot(y_t)) / (batch * T): L is a mean
        grad_logits = np.exp(log_probs) - np.eye(len(b_y), dtype=x.dtype)[ys]
        grad_logits /= batch * steps
        grads["W_hy"] += np.einsum("btv,btn->vn", grad_logits, hs)
        grads["b_y"] += grad_logits.sum(axis=(0, 1))
        dh = grad_logits @ w_hy  # each step's own part of dL/dh_t
        back = simple_rnn_bptt(xs, k, r, b_h, h0=h, grad_states=dh, states=hs)
        # back.h0, dL/dh at the window's start, is dropped: the cut
        grads["W_xh"] += back.kernel.T
        grads["W_hh"] += back.recurrent_kernel.T
        grads["b_h"] += back.bias
        h = hs[:, -1]  # the state flows on into the next window
    return loss / (batch * steps), grads


def clip_by_global_norm(grads, theta):
    """Scale all gradients together so that their joint norm is at most ``theta``.

    The global norm is ``sqrt(sum of ||g||^2 over all gradients)``; when it
    exceeds ``theta`` every gradient is multiplied by ``theta / norm``, so
    the update keeps its direction (Pascanu et al., 2013). This is Keras'
    ``global_clipnorm``; its ``clipnorm`` (and :func:`clip_by_norm`) clips
    each gradient on its own instead.

    Parameters
    ----------
    grads : dict of str to array
        The gradients, e.g. from :func:`sequence_loss_and_gradients`.
    theta : float
        The threshold, positive.

    Returns
    -------
    clipped : dict of str to numpy.ndarray
        The gradients, scaled when needed.
    norm : float
        The global norm *before* clipping.

    Raises
    ------
    ValueError
        If ``theta`` is not positive or ``grads`` is not a non-empty dict.

    Examples
    --------
    >>> clipped, norm = clip_by_global_norm({"a": np.array([3.0]), "b": np.array([4.0])}, 1.0)
    >>> norm, clipped["a"], clipped["b"]
    (5.0, array([0.6]), array([0.8]))
    """
    grads = _check_grads(grads)
    theta = _positive("theta", theta)
    squares = sum(np.sum(g.astype(float) ** 2) for g in grads.values())
    norm = float(np.sqrt(squares))
    scale = min(1.0, theta / norm) if norm > 0 else 1.0
    return {name: g * scale for name, g in grads.items()}, norm


class SGD:
    """Plain gradient descent, ``W <- W - eta * dL/dW``, as ``keras.optimizers.SGD``.

    Parameters
    ----------
    learning_rate : float
        ``eta``, positive.

    Raises
    ------
    ValueError
        If the learning rate is not positive.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 2.0])}
    >>> SGD(learning_rate=0.5).update(params, {"w": np.array([2.0, -2.0])})
    >>> params["w"]
    array([0., 3.])
    """

    def __init__(self, learning_rate):
        self.learning_rate = _positive("learning_rate", learning_rate)

    def update(self, params, grads):
        """Change ``params`` in place, one step against ``grads`` (same keys and shapes)."""
        _check_update(params, grads)
        for name, g in grads.items():
            params[name] -= self.learning_rate * g

    def __repr__(self):
        return f"SGD(learning_rate={self.learning_rate!r})"


class Adam:
    """Adam (Kingma & Ba, 2015), step for step as ``keras.optimizers.Adam``.

    For each parameter, with ``g`` its gradient and ``s`` the step number
    (1, 2, ...)::

        m <- m + (1 - beta_1) (g - m)
        v <- v + (1 - beta_2) (g**2 - v)
        W <- W - eta_s m / (sqrt(v) + epsilon),
        eta_s = eta sqrt(1 - beta_2**s) / (1 - beta_1**s)

    The bias correction sits in ``eta_s`` and ``epsilon`` is added to
    ``sqrt(v)`` uncorrected, as Keras does (the paper corrects ``m`` and
    ``v`` separately, which differs only through ``epsilon``).

    Parameters
    ----------
    learning_rate : float
        ``eta``, positive.
    beta_1, beta_2 : float
        Decay rates of the two moving averages, in [0, 1).
    epsilon : float
        Keras' default 1e-7 (the paper's is 1e-8).

    Raises
    ------
    ValueError
        If a setting is out of range.

    Examples
    --------
    >>> params = {"w": np.array([1.0, 1.0])}
    >>> adam = Adam(learning_rate=0.1)
    >>> adam.update(params, {"w": np.array([0.5, -2.0])})
    >>> params["w"].round(4)  # the first step moves each entry by about eta
    array([0.9, 1.1])
    """

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.learning_rate = _positive("learning_rate", learning_rate)
        self.epsilon = _positive("epsilon", epsilon)
        for name, beta in (("beta_1", beta_1), ("beta_2", beta_2)):
            if not (isinstance(beta, int | float | np.number) and 0 <= beta < 1):
                raise ValueError(f"{name} must be in [0, 1); got {beta!r}")
        self.beta_1, self.beta_2 = float(beta_1), float(beta_2)
        self.iterations = 0
        self.m, self.v = {}, {}

    def update(self, params, grads):
        """Change ``params`` in place, one Adam step with ``grads`` (same keys and shapes)."""
        _check_update(params, grads)
        self.iterations += 1
        s = self.iterations
        for name, g in grads.items():
            g = np.asarray(g, dtype=params[name].dtype)
            # eta_s = eta sqrt(1 - beta_2**s) / (1 - beta_1**s), in g's precision
            eta_s = self._step_size(s, g.dtype)
            m = self.m.setdefault(name, np.zeros_like(g))  # moving average of g
            v = self.v.setdefault(name, np.zeros_like(g))  # moving average of g**2
            m += (1 - self.beta_1) * (g - m)
            v += (1 - self.beta_2) * (g**2 - v)
            params[name] -= eta_s * m / (np.sqrt(v) + self.epsilon)

    def _step_size(self, s, dtype):
        # eta_s computed in the weights' precision, as Keras does (float32 for float32)
        beta_1, beta_2, eta = (
            np.asarray(b, dtype) for b in (self.beta_1, self.beta_2, self.learning_rate)
        )
        s = np.asarray(s, dtype)
        return eta * np.sqrt(1 - beta_2**s) / (1 - beta_1**s)

    def __repr__(self):
        return (
            f"Adam(learning_rate={self.learning_rate!r}, beta_1={self.beta_1!r}, "
            f"beta_2={self.beta_2!r}, epsilon={self.epsilon!r})"
        )


@_one_blas_thread
def train_rnn(params, x, targets, optimizer, theta=None, window=None):
    """Train the character-level RNN, one step per batch.

    Every step is :func:`sequence_loss_and_gradients` on one batch (full or
    truncated BPTT), then :func:`clip_by_global_norm` when ``theta`` is
    given, then ``optimizer.update``.

    Parameters
    ----------
    params : dict
        Initial parameters (:func:`init_params`); they are copied, not changed.
    x : array of shape (steps, batch, T, d)
        One batch of inputs per step.
    targets : array of int, shape (steps, batch, T)
        The next characters.
    optimizer : SGD or Adam
        Any object with ``update(params, grads)``.
    theta : float, optional
        Clipping threshold; no clipping when omitted.
    window : int, optional
        ``k`` for truncated BPTT; full BPTT when omitted.

    Returns
    -------
    params : dict
        The trained parameters.
    history : dict of str to numpy.ndarray
        ``"loss"``, the loss of every batch before its update, and
        ``"grad_norm"``, the global gradient norm before clipping.

    Raises
    ------
    ValueError
        If the shapes of ``x`` and ``targets`` do not fit, or as the
        functions above.

    Examples
    --------
    >>> text = echo_text(50, gap=2, letters="ab")
    >>> vocabulary = sorted(set(text))
    >>> ids = np.array([vocabulary.index(c) for c in text])
    >>> inputs, targets = char_batches(ids, batch_size=8, timesteps=10, steps=30)
    >>> x = np.eye(len(vocabulary), dtype="float32")[inputs]
    >>> params = init_params(len(vocabulary), units=8)
    >>> trained, history = train_rnn(params, x, targets, SGD(1.0), theta=1.0)
    >>> bool(history["loss"][-1] < history["loss"][0])
    True
    """
    x, targets = _check_training(x, targets, optimizer, theta)
    theta = np.inf if theta is None else theta  # no clipping: scale by 1
    params = {name: w.copy() for name, w in _check_params(params).items()}
    history = {"loss": [], "grad_norm": []}
    for xs, ys in zip(x, targets):  # one batch per step
        loss, grads = sequence_loss_and_gradients(params, xs, ys, window)
        grads, norm = clip_by_global_norm(grads, theta)
        optimizer.update(params, grads)
        history["loss"].append(loss)
        history["grad_norm"].append(norm)  # before clipping
    return params, {key: np.array(values) for key, values in history.items()}


def sample_sequence(params, prompt, length, temperature=1.0, seed=0):
    """Continue a text by drawing one character at a time from the model.

    The prompt is read from ``h_0 = 0``; then every step draws a character
    from ``softmax((W_hy h_t + b_y) / temperature)``
    (:func:`rnnbook.textgen.sample_next`) and feeds it back as the next
    input. For a one-hot ``x_t`` the product ``W_xh x_t`` is the column of
    ``W_xh`` of that character.

    Parameters
    ----------
    params : dict
        As :func:`init_params` or :func:`train_rnn` returns it.
    prompt : sequence of int
        The start of the text as character indices, at least one.
    length : int
        Number of characters to draw, at least 0.
    temperature : float
        ``tau >= 0``: below 1 sharpens the distribution, above 1 flattens it,
        0 always takes the most likely character.
    seed : int
        Seed of the draws.

    Returns
    -------
    numpy.ndarray of int, shape (length,)
        The drawn character indices (without the prompt).

    Raises
    ------
    ValueError
        If the prompt is empty or not character indices, or ``length`` or
        ``temperature`` is negative.

    Examples
    --------
    >>> params = init_params(vocab_size=5, units=3)
    >>> sample_sequence(params, [0, 1], length=6, seed=1).shape
    (6,)
    >>> greedy = sample_sequence(params, [0, 1], length=6, temperature=0)
    >>> bool((greedy == sample_sequence(params, [0, 1], length=6, temperature=0)).all())
    True
    """
    params = _check_params(params)
    w_xh, w_hh, b_h, w_hy, b_y = (params[name] for name in PARAM_NAMES)
    prompt = _check_sampling(prompt, len(b_y), length, temperature)
    rng = np.random.default_rng(seed)
    h = np.zeros_like(b_h)
    for i in prompt:  # read the prompt; W_xh x_t is column i of W_xh
        h = np.tanh(w_xh[:, i] + w_hh @ h + b_h)
    drawn = []
    for _ in range(length):
        i = sample_next(w_hy @ h + b_y, temperature, rng)
        drawn.append(i)
        h = np.tanh(w_xh[:, i] + w_hh @ h + b_h)  # i is the next input
    return np.array(drawn, dtype=int)


def _log_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_grads(grads):
    if not isinstance(grads, dict) or not grads:
        raise ValueError(
            "grads must be a non-empty dict of arrays (name -> gradient); "
            f"got {type(grads).__name__}: use clip_by_norm for a single array"
        )
    grads = {name: np.asarray(g) for name, g in grads.items()}
    return {name: g.astype(np.result_type(g, np.float32), copy=False) for name, g in grads.items()}


def _check_training(x, targets, optimizer, theta):
    if theta is not None:
        _positive("theta", theta)
    x, targets = np.asarray(x), np.asarray(targets)
    if x.ndim != 4 or targets.shape != x.shape[:3]:
        raise ValueError(
            "x must have shape (steps, batch, T, d) and targets (steps, batch, T), one batch "
            f"per step; got {x.shape} and {targets.shape}"
        )
    if not callable(getattr(optimizer, "update", None)):
        raise ValueError(
            f"optimizer must have an update(params, grads) method, like SGD or Adam; "
            f"got {optimizer!r}"
        )
    return x, targets


def _positive(name, value):
    if not (isinstance(value, int | float | np.number) and value > 0):
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    return float(value)


def _positive_int(name, value):
    if not (isinstance(value, int | np.integer) and value >= 1):
        raise ValueError(f"{name} must be a positive integer; got {value!r}")


def _check_params(params):
    if not isinstance(params, dict) or set(params) != set(PARAM_NAMES):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(
            f"params must be a dict with the keys {', '.join(PARAM_NAMES)} "
            f"(as init_params returns it); got {got}"
        )
    params = {name: np.asarray(params[name]) for name in PARAM_NAMES}
    for name in PARAM_NAMES:
        if params[name].ndim != (1 if name.startswith("b") else 2):
            kind = "a vector" if name.startswith("b") else "a matrix"
            raise ValueError(f"params[{name!r}] must be {kind}; got shape {params[name].shape}")
    units, vocab = params["W_hh"].shape[0], params["W_hy"].shape[0]
    expected = {
        "W_xh": (units, params["W_xh"].shape[1]),
        "W_hh": (units, units),
        "b_h": (units,),
        "W_hy": (vocab, units),
        "b_y": (vocab,),
    }
    for name, shape in expected.items():
        if params[name].shape != shape:
            raise ValueError(
                f"params[{name!r}] must have shape {shape} for n={units} units and "
                f"V={vocab} characters; got {params[name].shape}"
            )
    return params


def _check_loss_inputs(params, x, targets, window):
    params = _check_params(params)
    x = _check_inputs(params, x)
    targets = _check_targets(params, x, targets)
    if window is None:
        window = targets.shape[1]
    if not (isinstance(window, int | np.integer) and window >= 1):
        raise ValueError(
            f"window must be a positive integer (k steps) or None for full BPTT; got {window!r}"
        )
    return params, x, targets, window


def _check_inputs(params, x):
    x = _check_sequence(x)
    d = params["W_xh"].shape[1]
    if x.shape[-1] != d:
        raise ValueError(
            f"x must have {d} features per step (the columns of W_xh; one-hot characters "
            f"for V={d}); got shape {x.shape}"
        )
    return x.astype(np.result_type(x, params["W_xh"]), copy=False)


def _check_targets(params, x, targets):
    targets = np.asarray(targets)
    if targets.shape != x.shape[:2]:
        raise ValueError(
            f"targets must have shape (batch, T) = {x.shape[:2]}, one character index per "
            f"step; got {targets.shape}"
        )
    vocab = params["W_hy"].shape[0]
    if not np.issubdtype(targets.dtype, np.integer) or targets.min() < 0 or targets.max() >= vocab:
        raise ValueError(
            f"targets must be character indices, integers from 0 to V - 1 = {vocab - 1}"
        )
    return targets


def _check_update(params, grads):
    if set(params) != set(grads):
        raise ValueError(
            f"grads must have the same keys as params; got {sorted(grads)} for {sorted(params)}"
        )
    for name, g in grads.items():
        if np.shape(g) != np.shape(params[name]):
            raise ValueError(
                f"grads[{name!r}] must have the shape of params[{name!r}], "
                f"{np.shape(params[name])}; got {np.shape(g)}"
            )


def _check_sampling(prompt, vocab, length, temperature):
    prompt = np.asarray(prompt)
    if prompt.ndim != 1 or prompt.size == 0 or not np.issubdtype(prompt.dtype, np.integer):
        raise ValueError(
            "prompt must be a non-empty 1-D sequence of character indices, "
            f"e.g. vocabulary.encode('this movie'); got {prompt!r}"
        )
    if prompt.min() < 0 or prompt.max() >= vocab:
        raise ValueError(f"prompt must hold character indices from 0 to V - 1 = {vocab - 1}")
    if not (isinstance(length, int | np.integer) and length >= 0):
        raise ValueError(f"length must be an integer >= 0 (characters to draw); got {length!r}")
    if not (isinstance(temperature, int | float | np.number) and temperature >= 0):
        raise ValueError(
            f"temperature must be a number >= 0 (0 picks the most likely character); "
            f"got {temperature!r}"
        )
    return prompt
