"""Layering (issue 10, item 8): ``domovoy.core`` is the bottom layer and imports nothing of
the other Domovoy apps — they build on it, never the other way round. Checked from the source
(``ast``), so a lazy import inside a function counts as well."""

import ast
from pathlib import Path

import domovoy

PACKAGE = Path(domovoy.__file__).parent
CORE = PACKAGE / "core"


def _package_of(path: Path) -> str:
    dotted = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return dotted if path.name == "__init__.py" else dotted.rsplit(".", 1)[0]


def _imported_modules(source: str, package: str):
    """(line, absolute module name) of every import in ``source``, relative ones resolved
    against ``package``."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield node.lineno, module
            # ``from domovoy import directory`` imports an app as well.
            if module == "domovoy":
                for alias in node.names:
                    yield node.lineno, f"domovoy.{alias.name}"


def _foreign(module: str) -> bool:
    parts = module.split(".")
    return parts[0] == "domovoy" and len(parts) > 1 and parts[1] not in ("core",)


def test_core_imports_no_other_domovoy_app():
    offenders = []
    for path in sorted(CORE.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for lineno, module in _imported_modules(source, _package_of(path)):
            if module == "domovoy":
                continue
            if _foreign(module):
                offenders.append(f"{path.relative_to(PACKAGE.parent)}:{lineno} imports {module}")
    assert not offenders, "domovoy.core must not depend on other apps:\n" + "\n".join(offenders)


def test_the_check_sees_relative_and_lazy_imports():
    source = "def f():\n    from ..directory import roles\n    import domovoy.web.api\n"
    modules = [m for _, m in _imported_modules(source, "domovoy.core")]
    assert modules == ["domovoy.directory", "domovoy.web.api"]
    assert all(_foreign(m) for m in modules)
    assert not _foreign("domovoy.core.models")
