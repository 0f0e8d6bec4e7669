"""Reading the project's YAML files (batches, groups, follow-up profiles) with clear errors.

:func:`read_yaml` reads a file as UTF-8 and parses it with PyYAML's safe
loader, with two differences that matter to people who write these files by
hand:

* a key given twice in one mapping is an error (PyYAML lets the last win);
* every error names the file and the line, and says what to do.

:func:`unquoted_ids` finds municipality ids written as numbers (``1480``,
``0114``), which YAML reads as integers (``0114`` even as the octal 76).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from fou.core.errors import ParameterError


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"nyckeln {key!r} förekommer två gånger (rad {seen[key]} och rad {line}); "
                    "ta bort den ena",
                    key_node.start_mark,
                )
            seen[key] = line
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML file: its data and its node tree (for line numbers)."""

    path: Path
    data: Any
    node: Any

    def line_of(self, *keys: str) -> int | None:
        """Line (1-based) of the value at *keys* (a path of mapping keys), or None."""
        node = self.node
        for key in keys:
            node = child(node, key)
            if node is None:
                return None
        return int(node.start_mark.line) + 1


def child(node: Any, key: str) -> Any:
    """The value node of *key* in a mapping node (None when absent)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def read_yaml(path: Path | str, *, what: str = "filen") -> YamlFile:
    """Read and parse a YAML file; every problem is a :class:`ParameterError` naming file and line.

    Parameters
    ----------
    path
        The file.
    what
        What the file is, in Swedish, for messages (``"batchfilen"``).

    Returns
    -------
    YamlFile

    Raises
    ------
    ParameterError
        The file is missing, a directory, unreadable, not UTF-8, not valid
        YAML, or has a duplicate key.
    """
    path = Path(path)
    if not path.exists():
        raise ParameterError(f"{what.capitalize()} {path} finns inte.")
    if path.is_dir():
        raise ParameterError(f"{path} är en mapp, inte en fil; ange {what} (en .yaml-fil).")
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ParameterError(f"{path}: kunde inte läsas ({exc.strerror or exc}).") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ParameterError(
            f"{path}, rad {line}: filen är inte sparad som UTF-8 (tecken som å, ä och ö blir fel). "
            "Spara den som UTF-8 i din texteditor och försök igen."
        ) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}, rad {mark.line + 1}" if mark is not None else str(path)
        problem = exc.problem or exc.context or "ogiltig YAML"
        raise ParameterError(f"{where}: {problem}.") from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: ogiltig YAML: {exc}") from None
    return YamlFile(path=path, data=data, node=node)


def scalars(node: Any) -> Iterator[yaml.ScalarNode]:
    """The scalar items of a sequence node (or the node itself when it is a scalar)."""
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.ScalarNode):
                yield item
    elif isinstance(node, yaml.ScalarNode):
        yield node


def unquoted_ids(node: Any) -> Iterator[tuple[str, int]]:
    """Municipality ids written as numbers: ``(text as written, line)`` for each.

    Examples
    --------
    >>> node = yaml.compose("[1480, '0114', Ale, 0114]")
    >>> list(unquoted_ids(node))
    [('1480', 1), ('0114', 1)]
    """
    for item in scalars(node):
        if item.style is None and item.tag.endswith((":int", ":float")):
            yield item.value, item.start_mark.line + 1


def quoting_hint(text: str) -> str:
    """Why an unquoted id is wrong and how to write it, e.g. for ``0114``.

    Examples
    --------
    >>> print(quoting_hint("0114"))  # doctest: +NORMALIZE_WHITESPACE
    kommunkoden 0114 är skriven som ett tal; YAML läser den då som 76.
    Sätt citattecken runt koden: '0114'.
    """
    try:
        read = yaml.safe_load(text)
    except yaml.YAMLError:  # pragma: no cover - the scanner already read it as a number
        read = text
    padded = text.zfill(4) if text.isdigit() else text
    return (
        f"kommunkoden {text} är skriven som ett tal; YAML läser den då som {read}. "
        f"Sätt citattecken runt koden: '{padded}'."
    )
