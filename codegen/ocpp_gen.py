"""Generates typed C++ OCPP 1.6 messages with RapidJSON codecs from schemas/.

    /usr/bin/python3 codegen/ocpp_gen.py --root . [--check]

writes generated/ocpp16/ (or, with --check, exits 1 when it is stale). Under
`bazel run //codegen:regenerate` the root is the workspace. Output is
deterministic: no dates, no absolute paths, sorted everywhere.
"""

import argparse
import difflib
import hashlib
import json
import os
import sys

import jinja2

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import cpp_emit  # noqa: E402
import examples  # noqa: E402
import schema_model  # noqa: E402

SCHEMA_DIRS = ["schemas/core", "schemas/security"]
OUT_DIR = "generated/ocpp16"
SENDERS = {"cp": "kChargePoint", "cs": "kCentralSystem", "both": "kBoth"}
SENDER_TEXT = {"cp": "sent by the Charge Point", "cs": "sent by the Central System",
               "both": "sent by either side"}
PROFILES = ["Core", "FirmwareManagement", "LocalAuthListManagement", "Reservation",
            "SmartCharging", "RemoteTrigger", "Security"]


def render_all(root):
    here = os.path.dirname(os.path.abspath(__file__))
    model = schema_model.load([os.path.join(root, d) for d in SCHEMA_DIRS],
                              os.path.join(here, "type_names.json"),
                              os.path.join(here, "actions.json"),
                              os.path.join(here, "int64_fields.json"))

    def relpath(p):
        p = p.split("#")[0] if "#" in p else p
        return os.path.relpath(p, root).replace(os.sep, "/")

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(os.path.join(here, "templates")),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=False, lstrip_blocks=False)
    env.filters.update(field_type=cpp_emit.field_type, decode_expr=cpp_emit.decode_expr,
                       encode_stmt=cpp_emit.encode_stmt, check_expr=cpp_emit.check_expr,
                       relpath=relpath, initializer=cpp_emit.initializer)
    env.tests["needs_check"] = cpp_emit.needs_check

    enums = [t for t in model.types.values() if isinstance(t, schema_model.EnumType)]
    structs = [t for t in model.types.values() if isinstance(t, schema_model.StructType)]
    all_sources = sorted(relpath(m.schema_file) for m in model.messages)
    abi = int(hashlib.sha256("\n".join(all_sources).encode()).hexdigest()[:6], 16)
    files = {}
    files["types.h"] = env.get_template("types.h.jinja").render(
        sources=["schemas/"], enums=enums, structs=structs, merged=model.merged_enums, abi=abi)
    files["types.cc"] = env.get_template("types.cc.jinja").render(
        sources=["schemas/"], enums=enums, structs=structs)
    actions = []
    for action, pair in model.by_action.items():
        sender, profile = model.actions[action]
        if sender not in SENDERS or profile not in PROFILES:
            raise schema_model.SchemaError(pair["req"].schema_file, "",
                                           f"bad sender/profile in actions.json for {action}")
        stem = schema_model.snake_case(action).rstrip("_")
        sources = [relpath(pair["req"].schema_file), relpath(pair["conf"].schema_file)]
        ctx = dict(sources=sources, action=action, file_stem=stem, req=pair["req"].struct,
                   conf=pair["conf"].struct, sender_text=SENDER_TEXT[sender], profile=profile)
        files[stem + ".h"] = env.get_template("message.h.jinja").render(**ctx)
        files[stem + ".cc"] = env.get_template("message.cc.jinja").render(**ctx)
        actions.append(dict(name=action, file_stem=stem, sender=SENDERS[sender], profile=profile))
    reg = dict(sources=["codegen/actions.json", "schemas/"], actions=actions, profiles=PROFILES)
    files["registry.h"] = env.get_template("registry.h.jinja").render(**reg)
    files["registry.cc"] = env.get_template("registry.cc.jinja").render(**reg)
    vectors = examples.test_vectors(model, relpath)
    # One vector per line: small, and diffs stay readable.
    files["test_vectors.json"] = "{\n" + ",\n".join(
        f' "{kind}": [\n' + ",\n".join("  " + json.dumps(v, sort_keys=True, ensure_ascii=False)
                                          for v in vectors[kind]) + "\n ]"
        for kind in sorted(vectors)) + "\n}\n"
    files["BUILD.bazel"] = env.get_template("BUILD.bazel.jinja").render()
    return files


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.environ.get("BUILD_WORKSPACE_DIRECTORY", "."),
                        help="repository root (default: the Bazel workspace or .)")
    parser.add_argument("--check", action="store_true",
                        help="compare with the files on disk instead of writing")
    args = parser.parse_args(argv)
    try:
        files = render_all(args.root)
    except schema_model.SchemaError as e:
        print(f"ocpp_gen: error: {e}", file=sys.stderr)
        return 2
    out_dir = os.path.join(args.root, OUT_DIR)
    existing = set()
    if os.path.isdir(out_dir):
        existing = set(os.listdir(out_dir))
    if args.check:
        stale = []
        for name in sorted(set(files) | existing):
            path = os.path.join(out_dir, name)
            on_disk = open(path, encoding="utf-8").read() if name in existing else None
            if on_disk != files.get(name):
                stale.append(name)
                if on_disk is not None and name in files:
                    diff = difflib.unified_diff(on_disk.splitlines(), files[name].splitlines(),
                                                "checked-in/" + name, "regenerated/" + name,
                                                lineterm="", n=1)
                    print("\n".join(list(diff)[:30]), file=sys.stderr)
        if stale:
            print(f"ocpp_gen: {OUT_DIR} is stale ({', '.join(stale)}); "
                  "run `bazel run //codegen:regenerate`", file=sys.stderr)
            return 1
        print(f"ocpp_gen: {OUT_DIR} is up to date ({len(files)} files)")
        return 0
    os.makedirs(out_dir, exist_ok=True)
    for name in sorted(existing - set(files)):
        os.remove(os.path.join(out_dir, name))
    for name, text in sorted(files.items()):
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            f.write(text)
    print(f"ocpp_gen: wrote {len(files)} files to {OUT_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
