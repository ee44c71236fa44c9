"""Test vectors derived from the schemas, so no constraint goes untested.

For every message: a minimal example (required properties only) and a
maximal one (every property, strings at maxLength, two array items), and one
negative case per constraint: missing required property, wrong JSON type,
over-long string, unknown enum value, bad date-time, bad uri, non-integer and
out-of-range integer, multipleOf, minItems, forbidden extra property, and a
payload that is not an object. Each negative case names the OCPP-J error code
and JSON pointer the decoder must report (mapping in json_codec.h).

This walks the raw schema JSON, independently of schema_model, so it also
cross-checks the generator's reading of the schemas.
"""

import copy
import decimal
import os

DELETE = object()
INT32_MAX = 2147483647
INT64_MAX = 9223372036854775807
# 2^53 + 1: the first integer a double cannot hold, so a maximal example
# proves 64-bit ids survive decode and encode exactly.
WIDE_EXAMPLE = 9007199254740993


def _resolve(node, root):
    while "$ref" in node:
        node = root["definitions"][node["$ref"].split("/")[-1]]
    return node


def _to_json(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _never_wide(path):
    return False


def example(node, root, maximal, short_strings=False, wide=_never_wide, path=()):
    """short_strings: every property present, but strings kept short (the
    base for negative cases, so the vectors file stays small). wide(path):
    whether the integer at that path is 64-bit (codegen/int64_fields.json)."""
    node = _resolve(node, root)
    if "enum" in node:
        return node["enum"][-1 if maximal else 0]
    kind = node["type"]
    if kind == "object":
        props = node.get("properties", {})
        required = node.get("required", [])
        keys = [k for k in props if maximal or k in required]
        return {k: example(props[k], root, maximal, short_strings, wide, path + (k,))
                for k in keys}
    if kind == "array":
        min_items = node.get("minItems", 0)
        count = max(2, min_items) if maximal else min_items
        return [example(node["items"], root, maximal, short_strings, wide, path + (i,))
                for i in range(count)]
    if kind == "string":
        fmt = node.get("format")
        max_length = node.get("maxLength")
        if fmt == "date-time":
            return "2026-12-31T23:59:59Z" if maximal else "2026-01-01T00:00:00Z"
        if fmt == "uri":
            uri = "ftp://127.0.0.1/ocpp/upload" if maximal else "ftp://127.0.0.1/"
            return uri[:max_length] if max_length is not None else uri
        if max_length is not None:
            if short_strings:
                return "Ab"[:max_length]
            return ("Ab" * max_length)[:max_length] if maximal else "x"[:max_length]
        return "free text \u00fc\u20ac \"quoted\"" if maximal else "x"
    if kind == "integer":
        if not maximal:
            return 0
        return WIDE_EXAMPLE if wide(path) else INT32_MAX
    if kind == "number":
        if "multipleOf" in node:
            return 32.5 if maximal else 0
        return 1.25 if maximal else 0
    if kind == "boolean":
        return maximal
    raise ValueError(kind)


def _wrong_type(node):
    if "enum" in node or node["type"] == "string":
        return 12
    return {"integer": "12", "number": "12.5", "boolean": "true", "object": "object",
            "array": {"item": 1}}[node["type"]]


def _pointer(path):
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _cases(node, root, value, path, wide):
    """Yields (description, path, replacement or DELETE, code, error pointer)."""
    node = _resolve(node, root)
    here = _pointer(path)
    if path:
        yield ("wrong JSON type", path, _wrong_type(node), "TypeConstraintViolation", here)
    if "enum" in node:
        yield ("unknown enum value", path, "NotAValidValue", "PropertyConstraintViolation", here)
        return
    kind = node["type"]
    if kind == "object":
        if node.get("additionalProperties", True) is False:
            extra = path + ["unexpectedProperty"]
            yield ("extra property", extra, 1, "FormationViolation", _pointer(extra))
        for key in node.get("required", []):
            yield (f"missing required {key}", path + [key], DELETE,
                   "OccurenceConstraintViolation", _pointer(path + [key]))
        for key, sub in node.get("properties", {}).items():
            if key in value:
                yield from _cases(sub, root, value[key], path + [key], wide)
    elif kind == "array":
        if node.get("minItems", 0) > 0:
            yield ("too few items", path, [], "OccurenceConstraintViolation", here)
        if value:
            yield from _cases(node["items"], root, value[0], path + [0], wide)
    elif kind == "string":
        if "maxLength" in node:
            yield ("string too long", path, "x" * (node["maxLength"] + 1),
                   "PropertyConstraintViolation", here)
        if node.get("format") == "date-time":
            yield ("impossible date-time", path, "2026-13-01T00:00:00Z",
                   "TypeConstraintViolation", here)
            yield ("date-time without zone", path, "2026-01-01T00:00:00",
                   "TypeConstraintViolation", here)
        if node.get("format") == "uri":
            yield ("not a uri", path, "not a uri", "TypeConstraintViolation", here)
    elif kind == "integer":
        yield ("fraction in integer", path, 1.5, "TypeConstraintViolation", here)
        # Accepted by default (DecodeOptions::accept_integral_numbers).
        yield ("integer written with a zero fraction", path, 10.0, "TypeConstraintViolation",
               here)
        if wide(path):
            yield ("integer beyond 64 bits", path, INT64_MAX + 1, "TypeConstraintViolation", here)
        else:
            yield ("integer beyond 32 bits", path, INT32_MAX + 1, "TypeConstraintViolation", here)
    elif kind == "number" and "multipleOf" in node:
        yield ("not a multiple of multipleOf", path, 32.55, "PropertyConstraintViolation", here)


def _apply(document, path, replacement):
    document = copy.deepcopy(document)
    target = document
    for step in path[:-1]:
        target = target[step]
    if replacement is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = replacement
    return document


def _wide_predicate(model, message):
    stem = os.path.basename(message.schema_file)[:-len(".json")]

    def wide(path):
        names = [p for p in path if isinstance(p, str)]
        return bool(names) and bool({names[-1], f"{stem}/{names[-1]}"} & model.int64_fields)
    return wide


def test_vectors(model, relpath):
    positive, negative = [], []
    for message in sorted(model.messages, key=lambda m: (m.action, m.is_response)):
        schema = message.schema
        wide = _wide_predicate(model, message)
        which = "conf" if message.is_response else "req"
        base = dict(action=message.action, message=which, schema=relpath(message.schema_file))
        for name, maximal in (("minimal", False), ("maximal", True)):
            payload = example(schema, schema, maximal, wide=wide)
            positive.append(dict(base, name=name, payload=payload))
        maximal = example(schema, schema, True, short_strings=True, wide=wide)
        negative.append(dict(base, name="payload is not an object", payload=[],
                             code="FormationViolation", pointer="", lenient_ok=False,
                             default_ok=False))
        for description, path, replacement, code, pointer in _cases(schema, schema, maximal, [],
                                                                    wide):
            # default_ok: the default options accept it; strict ones reject it.
            negative.append(dict(base, name=f"{description} at {_pointer(path)}",
                                 payload=_apply(maximal, path, replacement), code=code,
                                 pointer=pointer, lenient_ok=description == "extra property",
                                 default_ok=description.endswith("zero fraction")))
    return {"positive": positive, "negative": negative}
