"""What a newcomer reads first stays true: every module says what it is for, and README's tree
names every package."""

from __future__ import annotations

import ast
import re

from matchmaker.config import PROJECT_ROOT

ROOTS = ("matchmaker", "search", "scripts", "migrations")
# Alembic writes the revisions; each names its change in its own first line.
GENERATED = PROJECT_ROOT / "migrations" / "versions"


def _modules():
    for root in ROOTS:
        for path in sorted((PROJECT_ROOT / root).rglob("*.py")):
            if GENERATED not in path.parents and "__pycache__" not in path.parts:
                yield path


def test_every_module_begins_with_what_it_is_for():
    unsaid = []
    for path in _modules():
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first_line = docstring.strip().split("\n", 1)[0]
        if len(first_line.split()) < 3:
            unsaid.append(f"{path.relative_to(PROJECT_ROOT)}: {first_line!r}")
    assert unsaid == []


def test_readme_tree_names_every_package():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    tree = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    packages = [
        path.parent
        for root in ROOTS
        for path in (PROJECT_ROOT / root).glob("*/*.py")
        if path.name in ("__init__.py", "env.py")
    ]
    packages += [path.parent for path in (PROJECT_ROOT / "matchmaker/services").glob("*/*.py")]
    unnamed = sorted(
        {str(p.relative_to(PROJECT_ROOT)) for p in packages if not re.search(rf"\b{p.name}/", tree)}
    )
    assert unnamed == []
