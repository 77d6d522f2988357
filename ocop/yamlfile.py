"""Reading YAML strictly: the one loader for every YAML file the platform reads.

A pure core, no Django. Data files (criteria sets, the taxonomy, processes, targets, the
registry's columns) and criteria files uploaded by the central office are read with
:func:`parse`, which is PyYAML's safe loader with three rules added:

- a key given twice in one mapping is refused (PyYAML silently keeps the last one);
- nesting deeper than :data:`MAX_DEPTH` is refused: PyYAML's composer is recursive, and a 1 MB
  upload of ``[[[[...`` would exhaust the stack (a RecursionError, a 500);
- aliases (``*name``) are refused unless the caller allows them: an alias repeats a node without
  copying it, so ten lines of nested aliases stand for a billion values, which every later step
  would expand.

Every problem is raised as :class:`YamlError`, naming the file and the line.
"""

from __future__ import annotations

from typing import Any

import yaml

# How deep a file may nest (the criteria files go 11 levels deep).
MAX_DEPTH = 32


class YamlError(ValueError):
    """The text is not YAML the platform accepts.

    ``source`` names the file, ``line`` is 1-based (None when the parser gives no position),
    ``problem`` says what is wrong; ``str()`` gives all three.
    """

    def __init__(self, source: str, line: int | None, problem: str):
        self.source = source
        self.line = line
        self.problem = problem
        super().__init__(f"{source}: {self.detail}")

    @property
    def where(self) -> str:
        """``"line N"``, or empty when the position is unknown."""
        return f"line {self.line}" if self.line is not None else ""

    @property
    def detail(self) -> str:
        """Where and what, without the file: ``"line N: problem"``."""
        return f"{self.where}: {self.problem}" if self.where else self.problem


class _StrictLoader(yaml.SafeLoader):
    depth = 0
    allow_aliases = False

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and not self.allow_aliases:
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*{event.anchor}) are not accepted", event.start_mark
            )
        if self.depth >= MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


class _AliasLoader(_StrictLoader):
    allow_aliases = True


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse(text: str, *, source: str, aliases: bool = False) -> Any:
    """The value of YAML ``text``, or :class:`YamlError` naming ``source`` and the line.

    ``aliases=True`` accepts aliases; only for files shipped with the platform, never uploads.
    """
    try:
        return yaml.load(text, Loader=_AliasLoader if aliases else _StrictLoader)  # SafeLoader subclasses
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlError(source, mark.line + 1 if mark is not None else None, problem) from None
