"""A learner's run: the package installed into a Colab-like environment, notebooks alone.

A fresh virtual environment on Python 3.12 (what Colab runs) gets only what
Colab ships for this book (TensorFlow, Keras, NumPy, matplotlib, an IPython
kernel; JAX later), at the versions the book pins, installed with uv when the book's
environment has it (seconds instead of a minute of pip; the image is not
what is tested); then the package is installed from this checkout with pip,
not editable, as a learner installs it, and must not change TensorFlow,
Keras or NumPy. One training notebook and one scratch notebook are copied
alone into an empty folder and executed there in the smoke profile: first
without JAX (the package must fall back to TensorFlow and say so), then with
JAX installed (it must choose JAX).

Set ``RNNBOOK_PYTHON312`` to the interpreter, or have ``python3.12`` on the
PATH or in pyenv. ``.ci/run`` sets ``RNNBOOK_REQUIRE_COLAB=1``, which turns a
missing interpreter from a skip into a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = [ROOT / "book/imdb/basic-rnn.ipynb", ROOT / "book/scratch/rnn-from-scratch.ipynb"]
COLAB_PACKAGES = ["tensorflow", "keras", "numpy", "matplotlib", "ipykernel", "nbclient"]
JAX_PACKAGES = ["jax", "jaxlib"]

RUNNER = r"""
import sys, nbformat, nbclient
notebook = nbformat.read(sys.argv[1], as_version=4)
nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3").execute()
print("\n".join(o.get("text", "") for c in notebook.cells for o in c.get("outputs", [])))
"""

pytestmark = pytest.mark.colab


def python312() -> str | None:
    """A working Python 3.12: $RNNBOOK_PYTHON312, else pyenv's, else python3.12 on PATH."""
    candidates = [os.environ.get("RNNBOOK_PYTHON312")]
    try:
        installed = subprocess.run(
            ["pyenv", "versions", "--bare"], capture_output=True, text=True, check=True
        ).stdout.split()
        for version in sorted(v for v in installed if v.startswith("3.12")):
            prefix = subprocess.run(
                ["pyenv", "prefix", version], capture_output=True, text=True, check=True
            ).stdout.strip()
            candidates.append(str(Path(prefix) / "bin" / "python3.12"))
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates.append(shutil.which("python3.12"))
    for candidate in filter(None, candidates):
        check = subprocess.run(
            [candidate, "-c", "import sys; print(sys.version_info[:2] == (3, 12))"],
            capture_output=True,
            text=True,
            check=False,
        )
        if check.stdout.strip() == "True":
            return candidate
    return None


def pins(names: list[str]) -> list[str]:
    """The book's exact pins of these packages, from requirements.txt."""
    text = (ROOT / "requirements.txt").read_text()
    out = []
    for name in names:
        match = re.search(rf"^{re.escape(name)}==(\S+)$", text, flags=re.MULTILINE | re.I)
        out.append(f"{name}=={match.group(1)}" if match else name)
    return out


def succeed(command: list[str]) -> str:
    """Run a command; fail the test with the end of its output unless it succeeds."""
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    return result.stdout


def pip(venv: Path, *args: str) -> str:
    return succeed([str(venv / "bin" / "python"), "-m", "pip", *args])


def provide(venv: Path, *packages: str) -> None:
    """Install what the Colab image ships: with uv when it is at hand, else with pip."""
    uv = Path(sys.executable).with_name("uv")
    if not uv.exists():
        pip(venv, "install", "--quiet", *packages)
        return
    # Compiled to bytecode now, as pip does: with PYTHONDONTWRITEBYTECODE set,
    # every process would otherwise compile TensorFlow's sources again.
    python = str(venv / "bin" / "python")
    succeed(
        [str(uv), "pip", "install", "--quiet", "--compile-bytecode", "--python", python, *packages]
    )


def versions(venv: Path) -> dict:
    listed = json.loads(pip(venv, "list", "--format", "json"))
    return {p["name"].lower(): p["version"] for p in listed}


def execute(venv: Path, folder: Path, tmp_path: Path, data: Path) -> dict[str, str]:
    """Run each notebook alone in `folder` with the venv's kernel; return its text output."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("KERAS_", "PYTHON", "VIRTUAL_ENV", "MPLBACKEND", "JAX_", "XLA_"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        RNNBOOK_PROFILE="smoke",
        RNNBOOK_CACHE=str(tmp_path / "rnnbook-cache"),
        RNNBOOK_IMDB=str(data),
        JUPYTER_PATH=str(venv / "share" / "jupyter"),
    )
    outputs = {}
    for notebook in NOTEBOOKS:
        result = subprocess.run(
            [str(venv / "bin" / "python"), "-c", RUNNER, notebook.name],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (
            f"{notebook.name}:\n{(result.stdout + result.stderr)[-6000:]}"
        )
        outputs[notebook.name] = result.stdout
    return outputs


def test_notebooks_run_alone_in_a_colab_like_environment(tmp_path, real_archive):
    interpreter = python312()
    if interpreter is None:
        message = "no Python 3.12: set RNNBOOK_PYTHON312 to run the Colab-like test"
        if os.environ.get("RNNBOOK_REQUIRE_COLAB"):
            pytest.fail(message)
        pytest.skip(message)
    venv = tmp_path / "colab"
    subprocess.run([interpreter, "-m", "venv", str(venv)], check=True)
    provide(venv, *pins(COLAB_PACKAGES))
    before = versions(venv)
    assert "jax" not in before

    pip(venv, "install", "--quiet", str(ROOT))  # not editable: what a reader installs
    after = versions(venv)
    for name in ("tensorflow", "keras", "numpy"):
        assert after[name] == before[name], f"installing rnnbook changed {name}"
    assert "rnnbook" in after

    folder = tmp_path / "alone"
    folder.mkdir()
    for notebook in NOTEBOOKS:
        shutil.copy(notebook, folder)
    data = real_archive  # offline here; in Colab the package downloads the archive
    without_jax = execute(venv, folder, tmp_path, data)
    for name, text in without_jax.items():
        assert "backend tensorflow" in text, f"{name} did not say it fell back to TensorFlow"

    provide(venv, *pins(JAX_PACKAGES))
    with_jax = execute(venv, folder, tmp_path, data)
    for name, text in with_jax.items():
        assert "backend jax" in text, f"{name} did not choose JAX"
    assert "test accuracy" in with_jax["basic-rnn.ipynb"]
