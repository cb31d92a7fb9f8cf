"""What importing rnnbook does: the backend it chooses, and the build's lazy TensorFlow."""

import importlib.metadata
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROBE = (
    "import sys{block}; import rnnbook, keras; {seed}"
    "print(keras.backend.backend(), 'tensorflow' in sys.modules)"
)


def probe(env: dict, block: str = "", seed: bool = False) -> str:
    """Import rnnbook in a fresh Python; print the backend and whether TensorFlow is loaded.

    ``seed``: call ``keras.utils.set_random_seed`` first (TensorFlow's import
    is what the lazy-TensorFlow setting skips; the other probes need not pay it).
    """
    seed_call = "keras.utils.set_random_seed(1); " if seed else ""
    clean = {k: v for k, v in os.environ.items() if k not in ("KERAS_BACKEND",)}
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(block=block, seed=seed_call)],
        env={**clean, "TF_CPP_MIN_LOG_LEVEL": "3", **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()[-1]


def test_jax_is_chosen_when_installed():
    assert probe({}) == "jax False"


def test_tensorflow_is_the_fallback_without_jax():
    assert probe({}, block="; sys.modules['jax'] = None") == "tensorflow True"


def test_a_named_backend_wins():
    assert probe({"KERAS_BACKEND": "tensorflow"}).startswith("tensorflow")


@pytest.mark.parametrize(("flag", "imported"), [("", "True"), ("1", "False")])
def test_the_build_skips_tensorflow_when_seeding_on_jax(flag, imported):
    assert probe({"RNNBOOK_LAZY_TENSORFLOW": flag}, seed=True) == f"jax {imported}"


def test_the_version_is_the_one_in_pyproject():
    """pyproject.toml holds the version; the installed package and rnnbook.__version__ agree.

    The notebooks' install cells are checked against it in test_notebooks.py,
    the Colab copies' in tools/colab_notebooks.py. A failure here after a
    version change means the environment is stale: run `make venv`.
    """
    import rnnbook

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    version = tomllib.loads(pyproject.read_text())["project"]["version"]
    assert importlib.metadata.version("rnnbook") == version, "stale environment: run make venv"
    assert rnnbook.__version__ == version


def test_every_library_the_package_imports_is_declared():
    """A module that rnnbook imports, at the top or inside a function, is a declared dependency."""
    import ast
    import re

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    declared = {
        re.split(r"[<>=\[; ]", spec, maxsplit=1)[0].lower().replace("_", "-")
        for spec in project["dependencies"]
        + [s for extra in project["optional-dependencies"].values() for s in extra]
    }
    providers = importlib.metadata.packages_distributions()
    imported, optional = set(), set()
    for path in (root / "src" / "rnnbook").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):  # try: import x / except ImportError: optional by design
            if isinstance(node, ast.Try) and any(
                isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers
            ):
                optional |= {
                    (n.module if isinstance(n, ast.ImportFrom) else n.names[0].name).split(".")[0]
                    for stmt in node.body
                    for n in ast.walk(stmt)
                    if isinstance(n, (ast.Import, ast.ImportFrom)) and getattr(n, "level", 0) == 0
                }
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {
        m for m in imported - optional if m not in sys.stdlib_module_names and m != "rnnbook"
    }
    undeclared = {
        module: providers.get(module)
        for module in third_party
        if not {d.lower().replace("_", "-") for d in providers.get(module, [module])} & declared
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"
