"""C++ spellings of model types, decode/encode/check snippets for templates."""

from schema_model import ArrayType, EnumType, Scalar, StructType


def cpp_type(t):
    if isinstance(t, Scalar):
        if t.kind == "integer" and t.bits == 64:
            return "std::int64_t"
        return {
            "integer": "std::int32_t",
            "boolean": "bool",
            "number": "double",
            "decimal": "codec::Decimal",
            "string": "std::string",
            "datetime": "codec::DateTime",
        }.get(t.kind) or (f"codec::CiString<{t.max_length}>" if t.max_length is not None
                          else "std::string")
    if isinstance(t, ArrayType):
        return f"std::vector<{cpp_type(t.item)}>"
    return t.name


def field_type(f):
    return cpp_type(f.type) if f.required else f"std::optional<{cpp_type(f.type)}>"


def decode_expr(t, src, dst):
    """A bool expression decoding rapidjson value `src` into lvalue `dst`."""
    if isinstance(t, Scalar):
        k = t.kind
        if k == "integer":
            return f"codec::DecodeInteger({src}, {dst}, ctx)"
        if k == "boolean":
            return f"codec::DecodeBoolean({src}, {dst}, ctx)"
        if k == "number":
            return f"codec::DecodeNumber({src}, {dst}, ctx)"
        if k == "decimal":
            return (f"codec::DecodeDecimal({src}, {dst}, "
                    f"codec::Decimal::FromMillionths({t.multiple_of_millionths}), ctx)")
        if k == "datetime":
            return f"codec::DecodeDateTime({src}, {dst}, ctx)"
        if k == "uri":
            return f"codec::DecodeUri({src}, {dst}, ctx)"
        if t.max_length is not None:
            return f"codec::DecodeCiString({src}, {dst}, ctx)"
        return f"codec::DecodeString({src}, {dst}, ctx)"
    if isinstance(t, ArrayType):
        item = decode_expr(t.item, "item_value", "item")
        return (f"codec::DecodeArray({src}, {dst}, {t.min_items}, ctx, "
                f"[](const rapidjson::Value& item_value, {cpp_type(t.item)}& item, "
                f"codec::DecodeContext& ctx) {{ return {item}; }})")
    return f"Decode({src}, {dst}, ctx)"


def encode_stmt(t, src):
    if isinstance(t, Scalar):
        return {
            "integer": f"w.Integer({src});",
            "boolean": f"w.Boolean({src});",
            "number": f"w.Number({src});",
            "decimal": f"w.Number({src});",
            "datetime": f"w.Timestamp({src});",
        }.get(t.kind, f"w.String({src});")
    if isinstance(t, ArrayType):
        return (f"w.StartArray(); for (const auto& item : {src}) {{ {encode_stmt(t.item, 'item')} }} "
                "w.EndArray();")
    if isinstance(t, EnumType):
        return f"w.String(ToString({src}));"
    return f"Encode({src}, w);"


def needs_check(t):
    """True when a value of type t can hold something its schema forbids."""
    if isinstance(t, Scalar):
        return t.kind in ("decimal", "uri")
    if isinstance(t, ArrayType):
        return t.min_items > 0 or needs_check(t.item)
    return True  # enums (out-of-range casts) and structs (recursively)


def check_expr(t, src):
    """A bool expression validating `src` for sending; records into ctx."""
    if isinstance(t, Scalar):
        if t.kind == "decimal":
            return (f"codec::CheckDecimal({src}, "
                    f"codec::Decimal::FromMillionths({t.multiple_of_millionths}), ctx)")
        return f"codec::CheckUri({src}, ctx)"
    if isinstance(t, ArrayType):
        item = check_expr(t.item, "item") if needs_check(t.item) else "true"
        return (f"codec::CheckArray({src}, {t.min_items}, ctx, "
                f"[](const {cpp_type(t.item)}& item, codec::DecodeContext& ctx) {{ return {item}; }})")
    if isinstance(t, EnumType):
        return f"codec::CheckEnum(!ToString({src}).empty(), ctx)"
    return f"Validate({src}, ctx)"


def struct_deps(struct):
    """Named types a struct refers to directly."""
    out = []
    for f in struct.fields:
        t = f.type.item if isinstance(f.type, ArrayType) else f.type
        if isinstance(t, (EnumType, StructType)):
            out.append(t.name)
    return out


def initializer(f):
    """Value-initialises members that would otherwise hold garbage."""
    if not f.required:
        return ""
    t = f.type
    if isinstance(t, EnumType) or (isinstance(t, Scalar) and t.kind in ("integer", "boolean",
                                                                       "number")):
        return "{}"
    return ""
