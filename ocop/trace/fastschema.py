"""A JSON Schema (draft-07) compiled into Python closures, for the hot path of EPCIS capture.

A pure core (no Django). The published EPCIS 2.0 schema is the authority and stays data
(``data/epcis-json-schema.json``); this module only makes checking it fast. ``jsonschema``
walks a schema for every instance (about 1.2 ms per EPCIS event here); compiling it once into
closures answers "valid or not" in a few tens of microseconds, so a repository can check
100,000 events in seconds. When an event is invalid, the capture asks ``jsonschema`` for the
precise errors, so messages come from the reference implementation.

Only the keywords the EPCIS schema uses are compiled (``$ref`` within the document, ``type``,
``enum``, ``const``, ``pattern``, ``format``, ``required``, ``properties``,
``additionalProperties``, ``propertyNames``, ``items``, ``minItems``, ``maxItems``,
``uniqueItems``, ``allOf``, ``anyOf``, ``oneOf``, ``not``, ``if``/``then``/``else``);
anything else raises ``NotImplementedError`` at compile time rather than being ignored.
A property test checks that the compiled validator and ``jsonschema`` agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable

Check = Callable[[object], bool]

_SUPPORTED = {
    "$ref",
    "$id",
    "$schema",
    "$comment",
    "title",
    "description",
    "definitions",
    "type",
    "enum",
    "const",
    "pattern",
    "format",
    "required",
    "properties",
    "additionalProperties",
    "propertyNames",
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "if",
    "then",
    "else",
}


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "number": _is_number,
    "integer": lambda x: (
        (isinstance(x, int) and not isinstance(x, bool)) or (isinstance(x, float) and x.is_integer())
    ),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


def _json_equal(a, b) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _any(parts: list[Check]) -> Check:
    parts_tuple = tuple(parts)

    def check(x):
        for part in parts_tuple:  # noqa: SIM110 - a plain loop is faster than any() over a generator
            if part(x):
                return True
        return False

    return check


def _unique(items: list) -> bool:
    if all(isinstance(i, str) for i in items):
        return len(set(items)) == len(items)
    seen = set()
    for item in items:
        marker = json.dumps(item, sort_keys=True)
        if marker in seen:
            return False
        seen.add(marker)
    return True


class Compiler:
    """Compiles one schema document; ``formats`` maps a format name to a check of strings."""

    def __init__(self, root: dict, formats: dict[str, Check]):
        self.root = root
        self.formats = formats
        self._refs: dict[str, Check] = {}

    def resolve(self, pointer: str):
        if not pointer.startswith("#"):
            raise NotImplementedError(f"external $ref {pointer!r}")
        node = self.root
        for part in filter(None, pointer[1:].split("/")):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def ref(self, pointer: str) -> Check:
        if pointer not in self._refs:
            holder: list[Check] = []
            self._refs[pointer] = lambda x: holder[0](x)  # a forward reference, for cycles
            compiled = self.compile(self.resolve(pointer))
            holder.append(compiled)
            self._refs[pointer] = compiled
        return self._refs[pointer]

    def compile(self, schema) -> Check:
        if schema is True or schema == {}:
            return lambda x: True
        if schema is False:
            return lambda x: False
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise NotImplementedError(f"schema keywords not compiled: {sorted(unknown)}")
        if "$ref" in schema:  # draft-07: siblings of $ref are ignored
            return self.ref(schema["$ref"])
        checks: list[Check] = []

        string_only = schema.get("type") == "string"
        if "type" in schema and not string_only:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            tests = [_TYPES[k] for k in kinds]
            checks.append(tests[0] if len(tests) == 1 else _any(tests))
        if "enum" in schema:
            options = schema["enum"]
            hashable = [o for o in options if isinstance(o, (str, int, float)) and not isinstance(o, bool)]
            if len(hashable) == len(options):
                allowed = frozenset(options)
                checks.append(
                    lambda x: isinstance(x, (str, int, float)) and not isinstance(x, bool) and x in allowed
                )
            else:
                checks.append(lambda x: any(_json_equal(x, o) for o in options))
        if "const" in schema:
            value = schema["const"]
            checks.append(lambda x: _json_equal(x, value))
        string_tests = []  # a string type is checked together with its pattern and format
        if "pattern" in schema:
            search = re.compile(schema["pattern"]).search
            string_tests.append(lambda x: search(x) is not None)
        if "format" in schema and schema["format"] in self.formats:
            string_tests.append(self.formats[schema["format"]])
        if string_only:
            tests = tuple(string_tests)
            if len(tests) == 0:
                checks.insert(0, lambda x: isinstance(x, str))
            elif len(tests) == 1:
                only = tests[0]
                checks.insert(0, lambda x: isinstance(x, str) and only(x))
            else:
                checks.insert(0, lambda x: isinstance(x, str) and all(t(x) for t in tests))
        else:
            for test in string_tests:
                checks.append(lambda x, test=test: not isinstance(x, str) or test(x))

        object_checks = self._object(schema)
        if object_checks is not None:
            checks.append(object_checks)
        array_checks = self._array(schema)
        if array_checks is not None:
            checks.append(array_checks)

        if "allOf" in schema:
            parts = [self.compile(s) for s in schema["allOf"]]
            checks.extend(parts)
        if "anyOf" in schema:
            checks.append(_any([self.compile(s) for s in schema["anyOf"]]))
        if "oneOf" in schema:
            parts = [self.compile(s) for s in schema["oneOf"]]
            checks.append(lambda x, parts=parts: sum(1 for p in parts if p(x)) == 1)
        if "not" in schema:
            negated = self.compile(schema["not"])
            checks.append(lambda x: not negated(x))
        if "if" in schema:
            condition = self.compile(schema["if"])
            then = self.compile(schema["then"]) if "then" in schema else None
            otherwise = self.compile(schema["else"]) if "else" in schema else None

            def conditional(x, condition=condition, then=then, otherwise=otherwise):
                if condition(x):
                    return then is None or then(x)
                return otherwise is None or otherwise(x)

            checks.append(conditional)

        if not checks:
            return lambda x: True
        if len(checks) == 1:
            return checks[0]
        if len(checks) == 2:
            first, second = checks
            return lambda x: first(x) and second(x)
        if len(checks) == 3:
            first, second, third = checks
            return lambda x: first(x) and second(x) and third(x)
        checks_tuple = tuple(checks)

        def every(x, checks=checks_tuple):
            for check in checks:  # noqa: SIM110 - a plain loop is faster than all() over a generator
                if not check(x):
                    return False
            return True

        return every

    def _object(self, schema) -> Check | None:
        required = tuple(schema.get("required", ()))
        properties = {name: self.compile(s) for name, s in schema.get("properties", {}).items()}
        additional = schema.get("additionalProperties", True)
        extra = None if additional is True else self.compile(additional)
        names = self.compile(schema["propertyNames"]) if "propertyNames" in schema else None
        if not (required or properties or extra or names):
            return None
        prop_items = tuple(properties.items())

        def check(x):
            if not isinstance(x, dict):
                return True
            for name in required:
                if name not in x:
                    return False
            for name, sub in prop_items:
                if name in x and not sub(x[name]):
                    return False
            if extra is not None:
                for name, value in x.items():
                    if name not in properties and not extra(value):
                        return False
            if names is not None:
                for name in x:
                    if not names(name):
                        return False
            return True

        return check

    def _array(self, schema) -> Check | None:
        items = schema.get("items")
        if isinstance(items, list):
            raise NotImplementedError("tuple-form items")
        item_check = self.compile(items) if items is not None else None
        minimum, maximum = schema.get("minItems"), schema.get("maxItems")
        unique = schema.get("uniqueItems", False)
        if item_check is None and minimum is None and maximum is None and not unique:
            return None

        def check(x):
            if not isinstance(x, list):
                return True
            if minimum is not None and len(x) < minimum:
                return False
            if maximum is not None and len(x) > maximum:
                return False
            if item_check is not None:
                for item in x:
                    if not item_check(item):
                        return False
            return not unique or _unique(x)

        return check


class Generator:
    """Compiles a schema into Python source, one function per schema node, simple checks inlined.

    About three times faster than the closures above: a closure per keyword costs a call per
    keyword per value; generated code tests a whole object's properties in one function. Same
    keywords, same semantics (the property test checks both against jsonschema).
    """

    def __init__(self, root: dict, formats: dict[str, Check]):
        self.root = root
        self.formats = formats
        self.names: dict[int, str] = {}
        self.sources: list[str] = []
        self.env: dict[str, object] = {
            "_is_number": _is_number,
            "_unique": _unique,
            "_json_equal": _json_equal,
        }
        self._pending: list[tuple[str, object]] = []
        self._constants: dict[str, str] = {}

    def constant(self, value, prefix: str) -> str:
        key = f"{prefix}:{value!r}" if not callable(value) else f"{prefix}:{id(value)}"
        if key not in self._constants:
            name = f"_{prefix}{len(self._constants)}"
            self._constants[key] = name
            self.env[name] = value
        return self._constants[key]

    def resolve(self, schema):
        seen = 0
        while isinstance(schema, dict) and "$ref" in schema:
            pointer = schema["$ref"]
            if not pointer.startswith("#"):
                raise NotImplementedError(f"external $ref {pointer!r}")
            node = self.root
            for part in filter(None, pointer[1:].split("/")):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
            seen += 1
            if seen > 50:
                raise NotImplementedError("a cycle of $refs")
        return schema

    def function(self, schema) -> str:
        """The name of the function checking ``schema`` (generated once per schema node)."""
        schema = self.resolve(schema)
        key = id(schema)
        if key not in self.names:
            self.names[key] = f"_v{len(self.names)}"
            self._pending.append((self.names[key], schema))
        return self.names[key]

    def expression(self, schema, var: str) -> str:
        """A Python expression checking ``var`` against ``schema``: inline when simple."""
        schema = self.resolve(schema)
        if schema is True or schema == {}:
            return "True"
        if schema is False:
            return "False"
        if self._simple(schema):
            tests = self._scalar_tests(schema, var)
            return " and ".join(tests) if tests else "True"
        keys = set(schema) - {"title", "description", "$comment"}
        # "One of these simple things" inline: (a or b).
        if keys == {"anyOf"} and all(self._simple(self.resolve(s)) for s in schema["anyOf"]):
            return "(" + " or ".join(f"({self.expression(s, var)})" for s in schema["anyOf"]) + ")"
        # An object whose listed properties are simple (the "if" of a type dispatch) inline.
        if keys <= {"type", "properties", "required"} and schema.get("type", "object") == "object":
            properties = schema.get("properties", {})
            if all(self._simple(self.resolve(s)) for s in properties.values()):
                tests = [f"isinstance({var}, dict)"] if "type" in schema else []
                guard = "" if "type" in schema else f"not isinstance({var}, dict) or "
                inner = [f"{name!r} in {var}" for name in schema.get("required", ())]
                for name, sub in properties.items():
                    test = self.expression(sub, "_p")
                    if test != "True":
                        inner.append(f"((_p := {var}.get({name!r}, _MISSING)) is _MISSING or ({test}))")
                if inner:
                    tests.append("(" + guard + "(" + " and ".join(inner) + "))")
                return " and ".join(tests) if tests else "True"
        return f"{self.function(schema)}({var})"

    @staticmethod
    def _simple(schema) -> bool:
        return isinstance(schema, dict) and set(schema) <= {
            "type",
            "enum",
            "const",
            "pattern",
            "format",
            "title",
            "description",
            "$comment",
        }

    def _type_test(self, kind: str, var: str) -> str:
        return {
            "object": f"isinstance({var}, dict)",
            "array": f"isinstance({var}, list)",
            "string": f"isinstance({var}, str)",
            "number": f"_is_number({var})",
            "integer": f"((isinstance({var}, int) and not isinstance({var}, bool)) or (isinstance({var}, float) and {var}.is_integer()))",
            "boolean": f"isinstance({var}, bool)",
            "null": f"{var} is None",
        }[kind]

    def _scalar_tests(self, schema, var: str) -> list[str]:
        tests = []
        if "type" in schema:
            kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            tests.append("(" + " or ".join(self._type_test(k, var) for k in kinds) + ")")
        if "enum" in schema:
            options = schema["enum"]
            if all(isinstance(o, str) for o in options):
                tests.append(
                    f"(isinstance({var}, str) and {var} in {self.constant(frozenset(options), 'E')})"
                )
            else:
                tests.append(f"any(_json_equal({var}, o) for o in {self.constant(tuple(options), 'L')})")
        if "const" in schema:
            tests.append(f"_json_equal({var}, {self.constant(schema['const'], 'C')})")
        string_tests = []
        if "pattern" in schema:
            search = self.constant(re.compile(schema["pattern"]).search, "P")
            string_tests.append(f"{search}({var}) is not None")
        if "format" in schema and schema["format"] in self.formats:
            string_tests.append(f"{self.constant(self.formats[schema['format']], 'F')}({var})")
        if string_tests:
            body = " and ".join(string_tests)
            tests.append(f"(not isinstance({var}, str) or ({body}))")
        return tests

    def body(self, name: str, schema) -> str:
        unknown = set(schema) - _SUPPORTED
        if unknown:
            raise NotImplementedError(f"schema keywords not compiled: {sorted(unknown)}")
        lines = [f"def {name}(x):"]
        add = lines.append
        for test in self._scalar_tests(schema, "x"):
            add(f"    if not {test}: return False")
        object_keys = {"required", "properties", "additionalProperties", "propertyNames"} & set(schema)
        if object_keys:
            add("    if isinstance(x, dict):")
            for key in schema.get("required", ()):
                add(f"        if {key!r} not in x: return False")
            properties = schema.get("properties", {})
            for prop, sub in properties.items():
                test = self.expression(sub, "v")
                if test != "True":
                    add(f"        v = x.get({prop!r}, _MISSING)")
                    add(f"        if v is not _MISSING and not ({test}): return False")
            additional = schema.get("additionalProperties", True)
            if additional is not True:
                known = self.constant(frozenset(properties), "K")
                test = self.expression(additional, "v")
                add("        for k, v in x.items():")
                add(f"            if k not in {known} and not ({test}): return False")
            if "propertyNames" in schema:
                add("        for v in x:")
                add(f"            if not ({self.expression(schema['propertyNames'], 'v')}): return False")
        array_keys = {"items", "minItems", "maxItems", "uniqueItems"} & set(schema)
        if array_keys:
            add("    if isinstance(x, list):")
            if "minItems" in schema:
                add(f"        if len(x) < {int(schema['minItems'])}: return False")
            if "maxItems" in schema:
                add(f"        if len(x) > {int(schema['maxItems'])}: return False")
            if "items" in schema:
                if isinstance(schema["items"], list):
                    raise NotImplementedError("tuple-form items")
                test = self.expression(schema["items"], "v")
                if test != "True":
                    add("        for v in x:")
                    add(f"            if not ({test}): return False")
            if schema.get("uniqueItems"):
                add("        if not _unique(x): return False")
        for sub in schema.get("allOf", ()):
            add(f"    if not ({self.expression(sub, 'x')}): return False")
        if "anyOf" in schema:
            add(
                "    if not ("
                + " or ".join(f"({self.expression(s, 'x')})" for s in schema["anyOf"])
                + "): return False"
            )
        if "oneOf" in schema:
            add(
                "    if ["
                + ", ".join(f"bool({self.expression(s, 'x')})" for s in schema["oneOf"])
                + "].count(True) != 1: return False"
            )
        if "not" in schema:
            add(f"    if {self.expression(schema['not'], 'x')}: return False")
        if "if" in schema:
            add(f"    if {self.expression(schema['if'], 'x')}:")
            add(f"        if not ({self.expression(schema.get('then', True), 'x')}): return False")
            if "else" in schema:
                add("    else:")
                add(f"        if not ({self.expression(schema['else'], 'x')}): return False")
        add("    return True")
        return "\n".join(lines)

    def build(self, schema) -> Check:
        entry = self.function(schema)
        while self._pending:
            name, node = self._pending.pop()
            self.sources.append(self.body(name, node))
        self.env["_MISSING"] = object()
        exec(compile("\n\n".join(self.sources), "<epcis-schema>", "exec"), self.env)
        return self.env[entry]


def compile_schema(
    root: dict, *, formats: dict[str, Check], pointer: str = "#", generate: bool = True
) -> Check:
    """A function telling whether an instance is valid against ``root`` (or a part of it).

    ``generate=True`` (the default) compiles to Python source (:class:`Generator`);
    ``False`` to closures (:class:`Compiler`), simpler to read and step through.
    """
    if generate:
        generator = Generator(root, formats)
        return generator.build({"$ref": pointer} if pointer != "#" else root)
    compiler = Compiler(root, formats)
    return compiler.ref(pointer) if pointer != "#" else compiler.compile(root)
