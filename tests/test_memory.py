import numpy as np
import pytest

from rnnbook.memory import long_memory_data


def test_label_sits_at_the_first_step_only():
    x, y = long_memory_data(64, lag=5, rng=1)
    assert x.shape == (64, 6, 8) and y.shape == (64,)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(x[:, 0, 0], 1.0)
    np.testing.assert_array_equal(x[:, 0, 1], 2 * y - 1)
    np.testing.assert_array_equal(x[:, 0, 2:], 0.0)  # no noise at the label
    np.testing.assert_array_equal(x[:, 1:, :2], 0.0)  # no label after it


def test_noise_has_the_requested_scale():
    x, _ = long_memory_data(2000, lag=10, noise_scale=2.0, rng=0)
    assert x[:, 1:, 2:].std() == pytest.approx(2.0, rel=0.02)
    silent, _ = long_memory_data(8, lag=3, noise_scale=0.0, rng=0)
    np.testing.assert_array_equal(silent[:, 1:], 0.0)


def test_a_generator_gives_new_sequences_and_a_seed_repeats_them():
    rng = np.random.default_rng(3)
    first, _ = long_memory_data(16, lag=4, rng=rng)
    second, _ = long_memory_data(16, lag=4, rng=rng)
    assert not np.array_equal(first, second)
    again, _ = long_memory_data(16, lag=4, rng=3)
    np.testing.assert_array_equal(first, again)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 0}, "size must be an integer of at least 1"),
        ({"lag": 0}, "lag must be an integer of at least 1"),
        ({"lag": 2.5}, "lag must be an integer"),
        ({"features": 2}, "features must be an integer of at least 3"),
        ({"noise_scale": -1.0}, "noise_scale must be at least 0"),
    ],
)
def test_bad_sizes_are_refused(kwargs, message):
    args = {"size": 4, "lag": 3} | kwargs
    with pytest.raises(ValueError, match=message):
        long_memory_data(**args)
