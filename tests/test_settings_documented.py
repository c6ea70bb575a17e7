"""Issue 10, item 5: every environment variable domovoy/settings.py reads is a row of the
settings table of docs/operations.md, and the table lists nothing settings.py no longer reads.
Both sides are parsed: settings.py with ``ast`` (every ``env.<cast>("NAME", ...)`` call, also
``environ.Env().<cast>(...)``), the table by its header row."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "domovoy" / "settings.py"
OPERATIONS = ROOT / "docs" / "operations.md"
HEADER = re.compile(
    r"^\|\s*setting\s*\|\s*environment variable\s*\|\s*default\s*\|\s*meaning\s*\|$"
)
# django-environ's readers (environ.Env's casting methods and the call itself).
READERS = {
    "str", "bool", "int", "float", "list", "tuple", "dict", "json", "url", "path", "db",
    "db_url", "cache", "cache_url", "email", "email_url", "search_url", "get_value", "parse_value",
}  # fmt: skip


def _is_env(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id == "env"
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "Env"
    )


def env_variables_read() -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        reader = isinstance(func, ast.Attribute) and func.attr in READERS and _is_env(func.value)
        direct = isinstance(func, ast.Name) and func.id == "env"  # env("NAME")
        if (reader or direct) and node.args:
            first = node.args[0]
            assert isinstance(first, ast.Constant) and isinstance(first.value, str), (
                f"settings.py line {node.lineno}: read the environment with a literal name"
            )
            names.add(first.value)
    return names


def documented_rows() -> dict[str, list[str]]:
    """Environment variable -> the row's cells, from the table under HEADER."""
    lines = OPERATIONS.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if HEADER.match(line.strip()))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert len(cells) == 4, f"docs/operations.md: a settings row needs 4 cells: {line}"
        variable = cells[1].strip("`")
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", variable), f"one variable per row: {line}"
        assert variable not in rows, f"docs/operations.md lists {variable} twice"
        assert all(cells), f"docs/operations.md: an empty cell in {line}"
        rows[variable] = cells
    return rows


def test_the_parser_sees_the_settings_it_should():
    read = env_variables_read()
    assert {"SECRET_KEY", "DATABASE_URL", "API_THROTTLE_INTAKE_INTEGRATION"} <= read
    assert "DOMOVOY_VAR_DIR" in read  # environ.Env().str(...)
    assert "NOTIFICATIONS_PUSH_SERVICE_HOSTS" in read  # a call over several lines


def test_every_environment_variable_is_documented():
    missing = sorted(env_variables_read() - set(documented_rows()))
    assert not missing, f"add to the settings table of docs/operations.md: {missing}"


def test_the_table_lists_no_variable_settings_py_does_not_read():
    stale = sorted(set(documented_rows()) - env_variables_read())
    assert not stale, f"docs/operations.md documents variables settings.py does not read: {stale}"


def test_a_setting_named_like_its_variable_is_named_so_in_the_table():
    """``X = env.<cast>("X", ...)``: the row's setting column names X."""
    rows = documented_rows()
    for node in ast.parse(SETTINGS.read_text(encoding="utf-8")).body:
        if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Call)):
            continue
        args = node.value.args
        if not (args and isinstance(args[0], ast.Constant)):
            continue
        targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
        if args[0].value in targets:
            assert f"`{args[0].value}`" in rows[args[0].value][0], rows[args[0].value]


def test_modules_read_settings_plainly():
    """A setting is defined (with its default) in settings.py only; modules read
    ``settings.X``, never ``getattr(settings, "X", default)`` with a second default."""
    pattern = re.compile(r"\b(getattr|hasattr)\(\s*(django_)?settings\b")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "domovoy").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not offenders, f"define these in settings.py and read settings.X: {offenders}"
