"""Every message the code renders is in ``prompts/messages/en.yaml``, with the values it needs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from prompts import messages
from prompts.messages import MessageError, keys, placeholders, render

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted(
    path for package in ("bot", "scheduler", "prompts") for path in (ROOT / package).rglob("*.py")
)


def _calls() -> list[tuple[str, str, frozenset[str] | None]]:
    """Each ``render("key", name=…)`` in the code: where, the key, and the names it passes
    (None when it also passes ``**values``, whose names only the run knows)."""
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _is_render(node.func)):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            first = node.args[0] if node.args else None
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                continue  # a key chosen at run time: see test_each_named_key_exists
            names = [keyword.arg for keyword in node.keywords]
            found.append(
                (where, first.value, None if None in names else frozenset(filter(None, names)))
            )
    return found


def _is_render(func: ast.expr) -> bool:
    return (isinstance(func, ast.Name) and func.id == "render") or (
        isinstance(func, ast.Attribute) and func.attr == "render" and _is_messages(func.value)
    )


def _is_messages(value: ast.expr) -> bool:
    return isinstance(value, ast.Name) and value.id == "messages"


def _dotted_constants() -> list[tuple[str, str]]:
    """Each string in the code shaped like a grouped message key (``"goals.added"``), such as
    the keys a table picks between at run time; audit names (``"pairs.import"``) are not."""
    groups = {key.split(".")[0] for key in keys() if "." in key}
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        audited = {id(arg) for node in ast.walk(tree) if _is_audit(node) for arg in node.args}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):  # f"goals.{name}": the keys it can name
                audited |= {id(part) for part in node.values}
                head = node.values[0] if node.values else None
                if isinstance(head, ast.Constant) and _looks_like_a_key(str(head.value), groups):
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno}", f"{head.value}*"))
            if id(node) in audited:
                continue
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _looks_like_a_key(node.value, groups)
            ):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node.value))
    return found


def _looks_like_a_key(text: str, groups: set[str]) -> bool:
    group, dot, name = text.partition(".")
    return bool(dot) and group in groups and name.replace("_", "").replace(".", "").isalnum()


def _exists(key: str) -> bool:
    """A key the file holds; ``goals.rating_*`` (an f-string's fixed start): some key it starts."""
    if key.endswith("*"):
        return any(name.startswith(key[:-1]) for name in keys())
    return key in keys()


def _is_audit(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and (
        (isinstance(node.func, ast.Name) and node.func.id == "audit")
        or (isinstance(node.func, ast.Attribute) and node.func.attr == "audit")
    )


CALLS = _calls()


def test_the_code_renders_messages() -> None:
    """The scan finds the render calls (a scan that finds nothing would prove nothing)."""
    assert len(CALLS) > 480


@pytest.mark.parametrize(("where", "key", "names"), CALLS, ids=[call[0] for call in CALLS])
def test_each_rendered_key_exists_with_its_values(
    where: str, key: str, names: frozenset[str] | None
) -> None:
    """Each key the code renders exists, and the call passes exactly the placeholders it has."""
    assert key in keys(), f"{where}: no message {key!r} in en.yaml"
    if names is not None:
        assert names == placeholders(key), (
            f"{where}: {key!r} needs {sorted(placeholders(key))}, the code passes {sorted(names)}"
        )


def test_each_named_key_exists() -> None:
    """Every grouped key named in the code, rendered there or picked from a table, exists."""
    missing = [f"{where}: {key}" for where, key in _dotted_constants() if not _exists(key)]
    assert not missing


@pytest.mark.parametrize("key", sorted(keys()))
def test_every_message_renders_with_its_placeholders(key: str) -> None:
    """Every template fills in from its own placeholders (no stray or broken braces)."""
    text = render(key, **dict.fromkeys(placeholders(key), "X"))
    assert text and "{" not in text.replace("{{", "")


def test_a_missing_key_fails_loudly() -> None:
    """A key the file lacks is an error naming it, not a blank message."""
    with pytest.raises(MessageError, match=r"no\.such"):
        render("no.such")


def test_a_missing_placeholder_fails_loudly() -> None:
    """A template rendered without one of its values is an error naming the value."""
    key = next(key for key in sorted(keys()) if placeholders(key))
    with pytest.raises(MessageError, match="|".join(sorted(placeholders(key)))):
        render(key)


def test_messages_are_grouped_by_module() -> None:
    """A dotted key's group is a core module or an adapter package (``slack_app``,
    ``discord_app``, ``console``), so a reader knows where the words are used."""
    modules = {path.stem for path in (ROOT / "bot" / "core").glob("*.py")}
    modules |= {path.parent.name for path in (ROOT / "bot").glob("*/__init__.py")} - {"core"}
    groups = {key.split(".")[0] for key in keys() if "." in key}
    assert groups <= modules, sorted(groups - modules)
    assert messages.MESSAGES_FILE.exists()
