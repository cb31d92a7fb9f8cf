"""Run profiles: the reference's full experiment, or a quick smoke run for CI.

The profile is chosen by the environment variable ``RNNBOOK_PROFILE``
(``full`` when unset), so the same notebook serves a reader who wants the
reference's numbers and a CI job that only checks that every cell runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

__all__ = ["ENV_PROFILE", "Profile", "PROFILES", "get_profile"]

ENV_PROFILE = "RNNBOOK_PROFILE"
"""Environment variable naming the profile."""


@dataclass(frozen=True)
class Profile:
    """Sizes and training settings shared by every notebook.

    Attributes
    ----------
    name : str
        ``"full"`` or ``"smoke"``.
    num_words : int
        Vocabulary size (the reference's ``max_features``).
    maxlen : int
        Tokens kept per review.
    train_size, test_size : int or None
        Reviews used from each split (``None``: all 25,000).
    epochs : int
        Passes over the training data.
    batch_size : int
        Reviews per gradient step.
    validation_split : float
        Fraction of the training set (its end) held out for validation.
    description : str
        One line for the reader.
    """

    name: str
    num_words: int
    maxlen: int
    train_size: int | None
    test_size: int | None
    epochs: int
    batch_size: int
    validation_split: float
    description: str

    def data_options(self) -> dict:
        """Keyword arguments for :func:`rnnbook.load_imdb`.

        Examples
        --------
        >>> PROFILES["smoke"].data_options()["maxlen"]
        80
        """
        return {
            "num_words": self.num_words,
            "maxlen": self.maxlen,
            "train_size": self.train_size,
            "test_size": self.test_size,
        }

    def __str__(self) -> str:
        return f"profile {self.name!r}: {self.description}"


PROFILES = {
    "full": Profile(
        name="full",
        num_words=5000,
        maxlen=500,
        train_size=None,
        test_size=None,
        epochs=10,
        batch_size=32,
        validation_split=0.2,
        description="the reference's settings, all 25,000 + 25,000 reviews, 500 tokens, 10 epochs",
    ),
    "smoke": Profile(
        name="smoke",
        num_words=5000,
        maxlen=80,
        # Whole batches of 32 in training, validation and test: on JAX every
        # new batch shape is compiled again (a partial last batch cost about
        # a second per model, more than its training).
        train_size=1280,
        test_size=512,
        epochs=2,
        batch_size=32,
        validation_split=0.2,
        description="a quick check that every cell runs (1,280 + 512 reviews, "
        "80 tokens, 2 epochs); its accuracies mean nothing",
    ),
}
"""The profiles by name."""


def get_profile(name: str | None = None) -> Profile:
    """Return the profile named ``name``, or by ``$RNNBOOK_PROFILE``, or ``full``.

    Parameters
    ----------
    name : str, optional
        A key of :data:`PROFILES`.

    Returns
    -------
    Profile

    Raises
    ------
    ValueError
        If the name is not a known profile.

    Examples
    --------
    >>> get_profile("full").epochs
    10
    """
    if name is None:
        name = os.environ.get(ENV_PROFILE) or "full"
    try:
        return PROFILES[name]
    except KeyError:
        known = ", ".join(PROFILES)
        raise ValueError(f"unknown profile {name!r}: set {ENV_PROFILE} to one of {known}") from None
