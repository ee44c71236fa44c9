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

DELETE = object()
INT32_MAX = 2147483647


def _resolve(node, root):
    while "$ref" in node:
        node = root["definitions"][node["$ref"].split("/")[-1]]
    return node


def _to_json(value):
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def example(node, root, maximal, short_strings=False):
    """short_strings: every property present, but strings kept short (the
    base for negative cases, so the vectors file stays small)."""
    node = _resolve(node, root)
    if "enum" in node:
        return node["enum"][-1 if maximal else 0]
    kind = node["type"]
    if kind == "object":
        props = node.get("properties", {})
        required = node.get("required", [])
        keys = [k for k in props if maximal or k in required]
        return {k: example(props[k], root, maximal, short_strings) for k in keys}
    if kind == "array":
        min_items = node.get("minItems", 0)
        count = max(2, min_items) if maximal else min_items
        return [example(node["items"], root, maximal, short_strings) for _ in range(count)]
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
        return INT32_MAX if maximal else 0
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


def _cases(node, root, value, path):
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
                yield from _cases(sub, root, value[key], path + [key])
    elif kind == "array":
        if node.get("minItems", 0) > 0:
            yield ("too few items", path, [], "OccurenceConstraintViolation", here)
        if value:
            yield from _cases(node["items"], root, value[0], path + [0])
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


def test_vectors(model, relpath):
    positive, negative = [], []
    for message in sorted(model.messages, key=lambda m: (m.action, m.is_response)):
        schema = message.schema
        which = "conf" if message.is_response else "req"
        base = dict(action=message.action, message=which, schema=relpath(message.schema_file))
        for name, maximal in (("minimal", False), ("maximal", True)):
            payload = example(schema, schema, maximal)
            positive.append(dict(base, name=name, payload=payload))
        maximal = example(schema, schema, True, short_strings=True)
        negative.append(dict(base, name="payload is not an object", payload=[],
                             code="FormationViolation", pointer="", lenient_ok=False))
        for description, path, replacement, code, pointer in _cases(schema, schema, maximal, []):
            negative.append(dict(base, name=f"{description} at {_pointer(path)}",
                                 payload=_apply(maximal, path, replacement), code=code,
                                 pointer=pointer, lenient_ok=description == "extra property"))
    return {"positive": positive, "negative": negative}
