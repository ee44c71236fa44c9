"""Reads OCPP JSON schemas into a model of C++ types.

Every schema construct the OCA files use is supported: objects with
properties/required/additionalProperties, arrays with items/minItems, local
$ref to #/definitions, string enums, maxLength, format date-time and uri,
integer, boolean, number with multipleOf. Anything else stops generation with
the file name and JSON pointer (SchemaError).
"""

import decimal
import json
import os
import re

# Keywords that carry no constraint the generated code must enforce.
METADATA_KEYS = {"$schema", "id", "$id", "title", "description", "comment", "javaType",
                 "definitions"}
SUPPORTED_KEYS = METADATA_KEYS | {"type", "properties", "required", "additionalProperties",
                                  "enum", "maxLength", "format", "multipleOf", "items",
                                  "minItems", "$ref", "additionalItems"}
CPP_KEYWORDS = {"default", "delete", "new", "class", "struct", "union", "template", "this",
                "operator", "private", "public", "protected", "namespace", "register",
                "switch", "case", "int", "long", "short", "char", "bool", "float", "double",
                "auto", "const", "static", "return", "typename", "using", "virtual"}


class SchemaError(Exception):
    def __init__(self, path, pointer, message):
        super().__init__(f"{path}#{pointer}: {message}")


def snake_case(name):
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()
    return s + "_" if s in CPP_KEYWORDS else s


def pascal_case(name):
    parts = [p for p in re.split(r"[^A-Za-z0-9]+", name) if p]
    return "".join(p[0].upper() + p[1:] for p in parts)


def enum_constant(value):
    ident = pascal_case(value)
    if not ident:
        raise ValueError(value)
    return "k" + ident


# ----------------------------------------------------------------------------
# Types


class Scalar:
    """integer, boolean, number, string (plain, CiString, date-time, uri)."""

    def __init__(self, kind, max_length=None, multiple_of=None, bits=32):
        self.kind = kind  # integer | boolean | number | decimal | string | datetime | uri
        self.max_length = max_length
        self.multiple_of = multiple_of  # decimal.Decimal or None
        self.bits = bits  # integer width: 32, or 64 for ids (int64_fields.json)

    def signature(self):
        return ("scalar", self.kind, self.max_length, str(self.multiple_of), self.bits)

    @property
    def multiple_of_millionths(self):
        return int(self.multiple_of * 1000000)


class ArrayType:
    def __init__(self, item, min_items):
        self.item = item
        self.min_items = min_items

    def signature(self):
        return ("array", self.item.signature(), self.min_items)


class EnumType:
    def __init__(self, name, values, origin):
        self.name = name
        self.values = list(values)
        self.origins = [origin]

    def signature(self):
        return ("enum", self.name)

    @property
    def constants(self):
        return [(enum_constant(v), v) for v in self.values]

    @property
    def constants_by_length(self):
        groups = {}
        for constant, value in self.constants:
            groups.setdefault(len(value), []).append((constant, value))
        return sorted(groups.items())


class Field:
    def __init__(self, json_name, type_, required):
        self.json_name = json_name
        self.cpp_name = snake_case(json_name)
        self.type = type_
        self.required = required


class StructType:
    def __init__(self, name, fields, closed, origin):
        self.name = name
        self.fields = fields
        self.closed = closed  # additionalProperties: false
        self.origins = [origin]

    def signature(self):
        return ("struct", self.name)

    def shape(self):
        return (self.closed, tuple((f.json_name, f.required, f.type.signature()) for f in self.fields))

    @property
    def fields_by_length(self):
        groups = {}
        for f in self.fields:
            groups.setdefault(len(f.json_name), []).append(f)
        return sorted(groups.items())

    @property
    def required_fields(self):
        return [f for f in self.fields if f.required]


class Message:
    def __init__(self, action, is_response, struct, schema_file, schema):
        self.action = action
        self.is_response = is_response
        self.struct = struct
        self.schema_file = schema_file
        self.schema = schema


# ----------------------------------------------------------------------------
# Loading


class Model:
    def __init__(self, type_names, int64_fields=()):
        self.type_names = type_names
        self.int64_fields = set(int64_fields)
        self.int64_used = set()
        self.types = {}  # name -> EnumType | StructType, in dependency order
        self.messages = []
        self.merged_enums = []  # (enum name, site) where a narrower value set was merged

    # -- naming ---------------------------------------------------------------

    def _name_for(self, stem, props, definition):
        if definition:
            return definition
        keys = ["/".join([stem] + props)]
        if len(props) >= 2:
            keys.append("/".join(props[-2:]))
        keys.append(props[-1])
        for key in keys:
            if key in self.type_names:
                return self.type_names[key]
        return pascal_case(props[-1])

    # -- registration ---------------------------------------------------------

    def _register_enum(self, enum, path, pointer):
        existing = self.types.get(enum.name)
        if existing is None:
            self.types[enum.name] = enum
            return enum
        if not isinstance(existing, EnumType):
            raise SchemaError(path, pointer, f"name {enum.name} is already a struct")
        old, new = set(existing.values), set(enum.values)
        if old != new:
            if not (old <= new or new <= old):
                raise SchemaError(path, pointer,
                                  f"enum {enum.name} differs from the one at {existing.origins[0]}; "
                                  "give one of them another name in codegen/type_names.json")
            # One OCA file lists a value the other lacks (the Celcius/Celsius
            # quirk): the C++ enum holds the union, each decoder accepts it.
            narrower = enum.origins[0] if new < old else existing.origins[0]
            self.merged_enums.append((enum.name, narrower))
            existing.values += [v for v in enum.values if v not in old]
        existing.origins += enum.origins
        return existing

    def _register_struct(self, struct, path, pointer):
        existing = self.types.get(struct.name)
        if existing is None:
            self.types[struct.name] = struct
            return struct
        if not isinstance(existing, StructType) or existing.shape() != struct.shape():
            raise SchemaError(path, pointer,
                              f"type {struct.name} differs from the one at {existing.origins[0]}; "
                              "give one of them another name in codegen/type_names.json")
        existing.origins += struct.origins
        return existing

    # -- schema walk ----------------------------------------------------------

    def load_file(self, path, action, is_response):
        with open(path, encoding="utf-8") as f:
            try:
                schema = json.load(f, parse_float=decimal.Decimal)
            except json.JSONDecodeError as e:
                raise SchemaError(path, "", f"not valid JSON: {e}")
        stem = os.path.basename(path)[:-len(".json")]
        root_name = action + ("Conf" if is_response else "Req")
        if schema.get("type") != "object":
            raise SchemaError(path, "", "the root must be an object")
        struct = self._object(schema, schema, path, "", stem, [], root_name, is_root=True)
        self.messages.append(Message(action, is_response, struct, path, schema))

    def _resolve(self, node, root, path, pointer):
        ref = node["$ref"]
        m = re.fullmatch(r"#/definitions/([A-Za-z0-9_]+)", ref)
        if not m or m.group(1) not in root.get("definitions", {}):
            raise SchemaError(path, pointer, f"unsupported or dangling $ref {ref!r}")
        if len(node) != 1:
            raise SchemaError(path, pointer, "$ref with sibling keywords is not supported")
        return root["definitions"][m.group(1)], "/definitions/" + m.group(1), m.group(1)

    def _type(self, node, root, path, pointer, stem, props, definition=None):
        if not isinstance(node, dict):
            raise SchemaError(path, pointer, "schema must be an object")
        if "$ref" in node:
            target, target_pointer, name = self._resolve(node, root, path, pointer)
            return self._type(target, root, path, target_pointer, stem, props, name)
        unknown = set(node) - SUPPORTED_KEYS
        if unknown:
            raise SchemaError(path, pointer, f"unsupported keyword(s) {sorted(unknown)}")
        kind = node.get("type")
        if "enum" in node:
            values = node["enum"]
            if kind != "string" or not values or not all(isinstance(v, str) for v in values):
                raise SchemaError(path, pointer, "only non-empty string enums are supported")
            try:
                constants = [enum_constant(v) for v in values]
            except ValueError:
                raise SchemaError(path, pointer, "enum value without letters or digits")
            if len(set(constants)) != len(constants) or len(set(values)) != len(values):
                raise SchemaError(path, pointer, "enum values collide as C++ names")
            name = self._name_for(stem, props, definition)
            return self._register_enum(EnumType(name, values, f"{path}#{pointer}"), path, pointer)
        if kind == "object":
            name = self._name_for(stem, props, definition)
            return self._object(node, root, path, pointer, stem, props, name)
        if kind == "array":
            if "items" not in node or not isinstance(node["items"], dict):
                raise SchemaError(path, pointer, "arrays need a single 'items' schema")
            min_items = node.get("minItems", 0)
            if not isinstance(min_items, int) or min_items < 0:
                raise SchemaError(path, pointer, "minItems must be a non-negative integer")
            item = self._type(node["items"], root, path, pointer + "/items", stem, props)
            if isinstance(item, ArrayType):
                raise SchemaError(path, pointer, "arrays of arrays are not supported")
            return ArrayType(item, min_items)
        if kind == "string":
            fmt = node.get("format")
            max_length = node.get("maxLength")
            if max_length is not None and (not isinstance(max_length, int) or max_length < 0):
                raise SchemaError(path, pointer, "maxLength must be a non-negative integer")
            if fmt == "date-time":
                return Scalar("datetime")
            if fmt == "uri":
                return Scalar("uri", max_length)
            if fmt is not None:
                raise SchemaError(path, pointer, f"unsupported format {fmt!r}")
            return Scalar("cistring" if max_length is not None else "string", max_length)
        if kind == "integer":
            keys = {props[-1], f"{stem}/{props[-1]}"} if props else set()
            wide = bool(keys & self.int64_fields)
            self.int64_used |= keys & self.int64_fields
            return Scalar("integer", bits=64 if wide else 32)
        if kind == "boolean":
            return Scalar("boolean")
        if kind == "number":
            step = node.get("multipleOf")
            if step is None:
                return Scalar("number")
            step = decimal.Decimal(str(step))
            if step <= 0 or (step * 1000000) != int(step * 1000000):
                raise SchemaError(path, pointer, "multipleOf must be a positive multiple of 1e-6")
            return Scalar("decimal", multiple_of=step)
        raise SchemaError(path, pointer, f"unsupported type {kind!r}")

    def _object(self, node, root, path, pointer, stem, props, name, is_root=False):
        unknown = set(node) - SUPPORTED_KEYS
        if unknown:
            raise SchemaError(path, pointer, f"unsupported keyword(s) {sorted(unknown)}")
        properties = node.get("properties", {})
        required = node.get("required", [])
        for r in required:
            if r not in properties:
                raise SchemaError(path, pointer + "/required", f"required {r!r} is not a property")
        closed = node.get("additionalProperties", True) is False
        fields = []
        for prop, sub in properties.items():
            sub_pointer = f"{pointer}/properties/{prop}"
            field_type = self._type(sub, root, path, sub_pointer, stem, props + [prop])
            fields.append(Field(prop, field_type, prop in required))
        names = [f.cpp_name for f in fields]
        if len(set(names)) != len(names):
            raise SchemaError(path, pointer, "property names collide as C++ names")
        if len([f for f in fields if f.required]) > 64:
            raise SchemaError(path, pointer, "more than 64 required properties")
        struct = StructType(name, fields, closed, f"{path}#{pointer}")
        if is_root:
            return struct
        return self._register_struct(struct, path, pointer)


def load(schema_dirs, type_names_file, actions_file, int64_fields_file=None):
    with open(type_names_file, encoding="utf-8") as f:
        type_names = json.load(f)["names"]
    with open(actions_file, encoding="utf-8") as f:
        actions = json.load(f)["actions"]
    int64_fields = []
    if int64_fields_file is not None:
        with open(int64_fields_file, encoding="utf-8") as f:
            int64_fields = json.load(f)["properties"]
    model = Model(type_names, int64_fields)
    model.actions = {}
    for directory in schema_dirs:
        for name in sorted(os.listdir(directory)):
            if not name.endswith(".json"):
                continue
            stem = name[:-len(".json")]
            is_response = stem.endswith("Response")
            action = stem[:-len("Response")] if is_response else stem
            path = os.path.join(directory, name)
            if action not in actions:
                raise SchemaError(path, "", f"action {action!r} is not in {actions_file}")
            model.load_file(path, action, is_response)
            model.actions[action] = actions[action]
    unused = model.int64_fields - model.int64_used
    if unused:
        raise SchemaError(int64_fields_file, "", f"no integer property matches {sorted(unused)}")
    by_action = {}
    for m in model.messages:
        by_action.setdefault(m.action, {})["conf" if m.is_response else "req"] = m
    for action, pair in by_action.items():
        if set(pair) != {"req", "conf"}:
            raise SchemaError(next(iter(pair.values())).schema_file, "",
                              f"action {action} needs both a request and a response schema")
    model.by_action = dict(sorted(by_action.items()))
    return model
