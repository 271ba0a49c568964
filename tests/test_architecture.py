"""docs/architecture.md lists every module of the packages, and only modules that exist; the library stays a leaf."""

import re
import subprocess
import sys

from tests.helpers import REPO

PACKAGES = ("visemb", "precompute", "evaluation", "app")


def test_module_map_matches_the_code():
    listed = set(re.findall(r"`((?:visemb|precompute|evaluation|app)/[\w/]+\.py)`",
                            (REPO / "docs" / "architecture.md").read_text()))
    present = {str(p.relative_to(REPO)) for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py")}
    assert present - listed == set(), "modules missing from docs/architecture.md"
    assert listed - present == set(), "docs/architecture.md names modules that do not exist"


def test_the_library_imports_neither_the_app_nor_the_pipeline():
    code = ("import sys, pkgutil, importlib, visemb\n"
            "for m in pkgutil.walk_packages(visemb.__path__, 'visemb.'):\n"
            "    if m.name != 'visemb.__main__': importlib.import_module(m.name)\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('streamlit', 'precompute', 'evaluation', 'app')]\n"
            "print(','.join(bad))")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == ""


def test_no_module_imports_another_modules_private_name():
    """``from a.b import _name`` (a name its module keeps to itself) nowhere in the project's code."""
    import ast

    offenders = []
    for folder in (*PACKAGES, "benchmarks"):
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (*PACKAGES, "benchmarks"):
                    offenders += [f"{path.relative_to(REPO)}: {node.module}.{a.name}" for a in node.names
                                  if a.name.startswith("_") and not a.name.startswith("__")]
    assert offenders == []


def test_the_readme_is_a_users_page_of_at_most_12_kb():
    assert len((REPO / "README.md").read_bytes()) <= 12_000


def test_no_module_of_the_library_or_the_evaluation_is_over_400_lines():
    long = {str(p.relative_to(REPO)): n for pkg in ("visemb", "evaluation") for p in (REPO / pkg).rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_a_store_persists_without_the_map_or_wordnet():
    """Saving and loading a store imports neither the map's layout nor WordNet (anywhere in those modules): a build
    computes the map's views and hands them over, and no import circle runs through the store."""
    import ast

    persistence = ("store", "store_files", "store_parts", "thumbnails_file", "folder_swap", "npz_file", "index_file")
    imported = {}
    for name in persistence:
        tree = ast.parse((REPO / "visemb" / f"{name}.py").read_text(encoding="utf-8"))
        imported[name] = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | \
            {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m: sorted(i & {"visemb.map_layout", "visemb.wordnet_data", "nltk"}) for m, i in imported.items()} == \
        {m: [] for m in persistence}


def test_memory_housekeeping_stays_at_the_edges():
    """Letting mapped pages go, trimming the heap and pausing the collector belong to loading and the index, not to
    the answer or the statistics."""
    for name in ("answer", "answer_rule", "class_scorer", "stats", "translate", "translator"):
        text = (REPO / "visemb" / f"{name}.py").read_text(encoding="utf-8")
        assert not any(word in text for word in ("release_pages", "trim_heap", "collector_paused")), name
