"""The operator and call-centre role checks are written once, as the predicates of
``domovoy/directory/permissions.py`` (issue 10, item 1); other modules import those predicates
or ask a named permission. Parsed with ``ast``: a ``has_role(..., "technical_operator")`` or a
``"functional_operator" in roles_of(user)`` anywhere else fails this test."""

import ast
from pathlib import Path

import domovoy

PACKAGE = Path(domovoy.__file__).parent
HOME = {PACKAGE / "directory" / "roles.py", PACKAGE / "directory" / "permissions.py"}
CODES = {"functional_operator", "technical_operator", "call_operator"}
ATTRS = {"FUNCTIONAL_OPERATOR", "TECHNICAL_OPERATOR", "CALL_OPERATOR"}


def _names_a_role(node) -> bool:
    if isinstance(node, ast.Constant) and node.value in CODES:
        return True
    return isinstance(node, ast.Attribute) and node.attr in ATTRS


def _called(node, name) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return getattr(func, "attr", getattr(func, "id", None)) == name


def role_checks(source: str):
    for node in ast.walk(ast.parse(source)):
        if _called(node, "has_role") and any(_names_a_role(a) for a in node.args):
            yield node.lineno
        if isinstance(node, ast.Compare) and _names_a_role(node.left):
            if any(_called(c, "roles_of") for c in node.comparators):
                yield node.lineno


def test_operator_roles_are_checked_only_by_the_directorys_predicates():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in HOME or "migrations" in path.parts:
            continue
        for lineno in role_checks(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(PACKAGE.parent)}:{lineno}")
    assert not found, "use domovoy.directory.permissions predicates instead:\n" + "\n".join(found)


def test_the_check_sees_both_forms():
    source = (
        "a = roles.has_role(user, 'technical_operator')\n"
        "b = 'functional_operator' in roles.roles_of(user)\n"
        "c = has_role(user, Role.CALL_OPERATOR)\n"
        "d = roles.has_role(user, 'org_admin')\n"
    )
    assert list(role_checks(source)) == [1, 2, 3]
