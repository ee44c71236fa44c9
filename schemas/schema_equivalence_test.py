#!/usr/bin/env python3
"""Proves our OCPP 1.6-J JSON schemas semantically equivalent to OCA's.

Our files (schemas/core/*.json, schemas/security/*.json) are written from the
specification text.  OCA's published files, kept outside the repository in
shared/ocpp16/{schemas,schemas-security}, are used here as a test oracle only.

For every file of ours, the oracle file of the same name is loaded, local
"$ref"s ("#/definitions/...") are resolved in both, and the two schemas are
compared recursively: properties, type, required (as a set), enum (as a set),
maxLength, minItems, format, multipleOf, additionalProperties, items, and any
other validation keyword that appears on either side.  Pure metadata
($schema, id/$id, title, description, comment, javaType) and "definitions"
(only reachable through the resolved "$ref"s) are ignored, and so are two
no-op keywords: "additionalProperties" on a schema that is not an object
schema (OCA puts it on string enums) and "additionalItems" next to a
single-schema "items" (OCA has one in GetInstalledCertificateIdsResponse).

Oracle location: $OCPP16_ORACLE_DIR if set, else <repo root>/../shared/ocpp16,
where <repo root> is found from the real path of one of our schema files (under
Bazel the runfiles are symlinks into the source tree).  When no oracle is found
the oracle tests are skipped; the oracle-independent tests still run.

Run:  /usr/bin/python3 schemas/schema_equivalence_test.py      (from the repo)
      bazel test //schemas:schema_equivalence_test
Stdlib only.
"""

import copy
import json
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))

CORE_ACTIONS = [
    "Authorize", "BootNotification", "CancelReservation", "ChangeAvailability",
    "ChangeConfiguration", "ClearCache", "ClearChargingProfile", "DataTransfer",
    "DiagnosticsStatusNotification", "FirmwareStatusNotification",
    "GetCompositeSchedule", "GetConfiguration", "GetDiagnostics",
    "GetLocalListVersion", "Heartbeat", "MeterValues", "RemoteStartTransaction",
    "RemoteStopTransaction", "ReserveNow", "Reset", "SendLocalList",
    "SetChargingProfile", "StartTransaction", "StatusNotification",
    "StopTransaction", "TriggerMessage", "UnlockConnector", "UpdateFirmware",
]
SECURITY_ACTIONS = [
    "CertificateSigned", "DeleteCertificate", "ExtendedTriggerMessage",
    "GetInstalledCertificateIds", "GetLog", "InstallCertificate",
    "LogStatusNotification", "SecurityEventNotification", "SignCertificate",
    "SignedFirmwareStatusNotification", "SignedUpdateFirmware",
]

# set name -> (our sub-folder, oracle sub-folder, actions)
SETS = {
    "core": ("core", "schemas", CORE_ACTIONS),
    "security": ("security", "schemas-security", SECURITY_ACTIONS),
}

METADATA_KEYS = frozenset([
    "$schema", "id", "$id", "title", "description", "comment", "$comment",
    "javaType", "definitions",
])
SET_KEYS = frozenset(["required", "enum"])


# ---------------------------------------------------------------------------
# Locating files
# ---------------------------------------------------------------------------

def find_schema_dir():
    """Folder holding our core/ and security/ sub-folders."""
    candidates = [HERE]
    # Under Bazel, fall back to the runfiles tree if the test file was copied.
    srcdir = os.environ.get("TEST_SRCDIR")
    if srcdir:
        for ws in (os.environ.get("TEST_WORKSPACE"), "_main", "__main__"):
            if ws:
                candidates.append(os.path.join(srcdir, ws, "schemas"))
    for c in candidates:
        if os.path.isdir(os.path.join(c, "core")):
            return c
    return HERE


SCHEMA_DIR = find_schema_dir()


def oracle_candidates():
    """Return a list of (origin, path) to try in order."""
    env = os.environ.get("OCPP16_ORACLE_DIR")
    if env:
        return [("$OCPP16_ORACLE_DIR", env)]
    out = []
    probe = os.path.join(SCHEMA_DIR, "core", "Authorize.json")
    for p in (probe, os.path.join(SCHEMA_DIR, os.path.basename(__file__))):
        if os.path.exists(p):
            real = os.path.realpath(p)
            # <root>/schemas/core/Authorize.json or <root>/schemas/<test>.py
            schemas = os.path.dirname(real)
            if os.path.basename(schemas) == "core":
                schemas = os.path.dirname(schemas)
            root = os.path.dirname(schemas)
            out.append(("repo root of " + real,
                        os.path.join(root, os.pardir, "shared", "ocpp16")))
    ws = os.environ.get("BUILD_WORKSPACE_DIRECTORY")
    if ws:
        out.append(("$BUILD_WORKSPACE_DIRECTORY",
                    os.path.join(ws, os.pardir, "shared", "ocpp16")))
    return out


def find_oracle_dir():
    tried = []
    seen = set()
    for origin, path in oracle_candidates():
        path = os.path.normpath(path)
        if path in seen:
            continue
        seen.add(path)
        tried.append("%s (%s)" % (path, origin))
        if all(os.path.isdir(os.path.join(path, oracle_sub))
               for _, oracle_sub, _ in SETS.values()):
            return path, tried
    return None, tried


ORACLE_DIR, ORACLE_TRIED = find_oracle_dir()
ORACLE_SKIP_MSG = (
    "OCA oracle schemas not found (looked in: %s); set OCPP16_ORACLE_DIR to the "
    "folder holding schemas/ and schemas-security/ to run the equivalence tests"
    % ("; ".join(ORACLE_TRIED) or "nowhere"))


def load_json(path):
    with open(path, "r", encoding="utf-8") as f:
        return json.load(f)


def json_files(folder):
    return sorted(n for n in os.listdir(folder) if n.endswith(".json"))


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def _escape(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def resolve_refs(schema, root=None, _stack=()):
    """Return a copy of `schema` with every local "$ref" replaced by its target.

    Sibling keywords next to "$ref" are ignored (draft-04/06 semantics).
    Recursive references raise ValueError (none exist in OCPP 1.6).
    """
    if root is None:
        root = schema
    if isinstance(schema, list):
        return [resolve_refs(x, root, _stack) for x in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema and isinstance(schema["$ref"], str):
        ref = schema["$ref"]
        if not ref.startswith("#"):
            raise ValueError("non-local $ref not supported: %r" % ref)
        if ref in _stack:
            raise ValueError("recursive $ref: %r" % ref)
        target = root
        for token in ref[1:].split("/")[1:] if ref != "#" else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, dict) or token not in target:
                raise ValueError("unresolvable $ref: %r" % ref)
            target = target[token]
        return resolve_refs(target, root, _stack + (ref,))
    return dict((k, resolve_refs(v, root, _stack)) for k, v in schema.items())


def _is_object_schema(s):
    t = s.get("type")
    types = t if isinstance(t, list) else [t]
    if "object" in types:
        return True
    # an untyped schema with object keywords is an object schema too
    return t is None and any(k in s for k in ("properties", "required",
                                              "patternProperties"))


def _canon(value):
    return json.dumps(value, sort_keys=True)


def _same_scalar(a, b):
    # JSON numbers: 1 == 1.0; but bool is not a number (True != 1).
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _normalised(schema):
    """Keyword view of a schema: metadata dropped, defaults made explicit."""
    out = dict((k, v) for k, v in schema.items() if k not in METADATA_KEYS)
    # draft-04 §5.3.1 / draft-06 §6.10: "additionalItems" only has a meaning
    # when "items" is an array of schemas; otherwise it is a no-op.
    if not isinstance(out.get("items"), list):
        out.pop("additionalItems", None)
    obj = _is_object_schema(out)
    if not obj:
        out.pop("additionalProperties", None)
    else:
        out.setdefault("properties", {})
        out.setdefault("required", [])
        out.setdefault("additionalProperties", True)
    return out


def diff_schemas(ours, theirs, pointer=""):
    """List of "<json pointer>: <what differs>" strings; [] if equivalent.

    Both arguments must have their "$ref"s resolved already.
    """
    diffs = []
    where = pointer or "/"
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        if isinstance(ours, bool) and isinstance(theirs, bool):
            if ours != theirs:
                diffs.append("%s: ours %r, oracle %r" % (where, ours, theirs))
        elif _canon(ours) != _canon(theirs):
            diffs.append("%s: ours %s, oracle %s"
                         % (where, _canon(ours), _canon(theirs)))
        return diffs

    a, b = _normalised(ours), _normalised(theirs)
    for key in sorted(set(a) | set(b)):
        sub = pointer + "/" + _escape(key)
        if key not in a:
            diffs.append("%s: only in oracle: %s" % (sub, _canon(b[key])))
            continue
        if key not in b:
            diffs.append("%s: only in ours: %s" % (sub, _canon(a[key])))
            continue
        va, vb = a[key], b[key]
        if key == "properties":
            for name in sorted(set(va) - set(vb)):
                diffs.append("%s: property %r only in ours" % (sub, name))
            for name in sorted(set(vb) - set(va)):
                diffs.append("%s: property %r only in oracle" % (sub, name))
            for name in sorted(set(va) & set(vb)):
                diffs.extend(diff_schemas(va[name], vb[name],
                                          sub + "/" + _escape(name)))
        elif key in SET_KEYS:
            sa = set(_canon(x) for x in va)
            sb = set(_canon(x) for x in vb)
            if sa != sb or len(va) != len(sa) or len(vb) != len(sb):
                msg = "%s: %s differs" % (sub, key)
                if sa - sb:
                    msg += "; only in ours: " + ", ".join(sorted(sa - sb))
                if sb - sa:
                    msg += "; only in oracle: " + ", ".join(sorted(sb - sa))
                if len(va) != len(sa):
                    msg += "; duplicates in ours"
                if len(vb) != len(sb):
                    msg += "; duplicates in oracle"
                diffs.append(msg)
        elif key == "type":
            ta = set(va) if isinstance(va, list) else set([va])
            tb = set(vb) if isinstance(vb, list) else set([vb])
            if ta != tb:
                diffs.append("%s: ours %s, oracle %s"
                             % (sub, _canon(va), _canon(vb)))
        elif key in ("items", "additionalProperties", "additionalItems", "not"):
            if isinstance(va, list) and isinstance(vb, list):
                if len(va) != len(vb):
                    diffs.append("%s: %d tuple items in ours, %d in oracle"
                                 % (sub, len(va), len(vb)))
                for i, (x, y) in enumerate(zip(va, vb)):
                    diffs.extend(diff_schemas(x, y, sub + "/" + str(i)))
            else:
                diffs.extend(diff_schemas(va, vb, sub))
        elif key in ("allOf", "anyOf", "oneOf"):
            if len(va) != len(vb):
                diffs.append("%s: %d subschemas in ours, %d in oracle"
                             % (sub, len(va), len(vb)))
            for i, (x, y) in enumerate(zip(va, vb)):
                diffs.extend(diff_schemas(x, y, sub + "/" + str(i)))
        elif key in ("patternProperties", "dependencies"):
            for name in sorted(set(va) | set(vb)):
                if name not in va or name not in vb:
                    diffs.append("%s: %r only in %s" % (
                        sub, name, "oracle" if name not in va else "ours"))
                else:
                    diffs.extend(diff_schemas(va[name], vb[name],
                                              sub + "/" + _escape(name)))
        else:
            # maxLength, minItems, format, multipleOf, minimum, pattern, ...
            same = (_same_scalar(va, vb) if not isinstance(va, (dict, list))
                    else _canon(va) == _canon(vb))
            if not same:
                diffs.append("%s: ours %s, oracle %s"
                             % (sub, _canon(va), _canon(vb)))
    return diffs


def compare_documents(ours, theirs):
    return diff_schemas(resolve_refs(ours), resolve_refs(theirs))


# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

def expected_names(actions):
    return sorted([a + ".json" for a in actions] +
                  [a + "Response.json" for a in actions])


class OurFilesTest(unittest.TestCase):
    """Checks that need no oracle."""

    def test_expected_file_names(self):
        for set_name, (sub, _, actions) in sorted(SETS.items()):
            folder = os.path.join(SCHEMA_DIR, sub)
            self.assertTrue(os.path.isdir(folder), "missing folder " + folder)
            self.assertEqual(json_files(folder), expected_names(actions),
                             "file names in " + folder)
        total = sum(len(json_files(os.path.join(SCHEMA_DIR, s[0])))
                    for s in SETS.values())
        self.assertEqual(total, 78)

    def test_valid_json_and_headers(self):
        for sub, _, _ in SETS.values():
            folder = os.path.join(SCHEMA_DIR, sub)
            for name in json_files(folder):
                path = os.path.join(folder, name)
                with self.subTest(file=sub + "/" + name):
                    doc = load_json(path)
                    self.assertIsInstance(doc, dict)
                    stem = name[:-len(".json")]
                    is_resp = stem.endswith("Response")
                    action = stem[:-len("Response")] if is_resp else stem
                    self.assertEqual(doc.get("type"), "object")
                    self.assertIs(doc.get("additionalProperties"), False)
                    if sub == "core":
                        self.assertEqual(
                            doc.get("$schema"),
                            "http://json-schema.org/draft-04/schema#")
                        suffix = "Response" if is_resp else "Request"
                        self.assertEqual(
                            doc.get("id"),
                            "urn:OCPP:1.6:2019:12:" + action + suffix)
                        self.assertEqual(doc.get("title"), action + suffix)
                        self.assertNotIn("$id", doc)
                        self.assertNotIn("definitions", doc)
                    else:
                        self.assertEqual(
                            doc.get("$schema"),
                            "http://json-schema.org/draft-06/schema#")
                        suffix = ".conf" if is_resp else ".req"
                        self.assertEqual(
                            doc.get("$id"),
                            "urn:OCPP:Cp:1.6:2020:3:" + action + suffix)
                        self.assertNotIn("id", doc)
                    # every local $ref must resolve
                    resolve_refs(doc)

    def test_formatting(self):
        """4-space indentation for core, 2-space for security."""
        for sub, _, _ in SETS.values():
            indent = 4 if sub == "core" else 2
            folder = os.path.join(SCHEMA_DIR, sub)
            for name in json_files(folder):
                path = os.path.join(folder, name)
                with open(path, "r", encoding="utf-8") as f:
                    text = f.read()
                with self.subTest(file=sub + "/" + name):
                    self.assertEqual(
                        text, json.dumps(json.loads(text), indent=indent) + "\n")


class ComparatorSelfTest(unittest.TestCase):
    """The comparison must detect differences, so equivalence is not vacuous."""

    def _ours(self, sub, name):
        return load_json(os.path.join(SCHEMA_DIR, sub, name))

    def assertDiffers(self, a, b, needle):
        diffs = compare_documents(a, b)
        self.assertTrue(diffs, "mutation not detected (%s)" % needle)
        self.assertTrue(any(needle in d for d in diffs),
                        "expected %r in %r" % (needle, diffs))

    def test_identical_is_equal(self):
        for sub, _, _ in SETS.values():
            folder = os.path.join(SCHEMA_DIR, sub)
            for name in json_files(folder):
                doc = self._ours(sub, name)
                self.assertEqual(compare_documents(doc, copy.deepcopy(doc)), [])

    def test_core_mutations_detected(self):
        base = self._ours("core", "MeterValues.json")
        sv = "/properties/meterValue/items/properties/sampledValue/items"
        mutations = []

        m = copy.deepcopy(base)
        m["properties"]["meterValue"]["items"]["properties"]["sampledValue"][
            "items"]["properties"]["unit"]["enum"].append("Hertz")
        mutations.append((m, sv + "/properties/unit/enum"))

        m = copy.deepcopy(base)
        m["properties"]["meterValue"]["items"]["properties"]["sampledValue"][
            "items"]["required"] = []
        mutations.append((m, sv + "/required"))

        m = copy.deepcopy(base)
        m["properties"]["connectorId"]["type"] = "number"
        mutations.append((m, "/properties/connectorId/type"))

        m = copy.deepcopy(base)
        m["properties"]["meterValue"]["items"]["additionalProperties"] = True
        mutations.append((m, "/properties/meterValue/items/additionalProperties"))

        m = copy.deepcopy(base)
        m["properties"]["extra"] = {"type": "string"}
        mutations.append((m, "'extra' only in ours"))

        m = copy.deepcopy(base)
        del m["properties"]["transactionId"]
        mutations.append((m, "'transactionId' only in oracle"))

        for mutated, needle in mutations:
            with self.subTest(needle=needle):
                self.assertDiffers(mutated, base, needle)

        auth = self._ours("core", "Authorize.json")
        m = copy.deepcopy(auth)
        m["properties"]["idTag"]["maxLength"] = 21
        self.assertDiffers(m, auth, "/properties/idTag/maxLength")
        m = copy.deepcopy(auth)
        m["properties"]["idTag"]["format"] = "uri"
        self.assertDiffers(m, auth, "/properties/idTag/format")

        scp = self._ours("core", "SetChargingProfile.json")
        m = copy.deepcopy(scp)
        cs = m["properties"]["csChargingProfiles"]["properties"]["chargingSchedule"]
        cs["properties"]["minChargingRate"]["multipleOf"] = 0.01
        self.assertDiffers(m, scp, "minChargingRate/multipleOf")
        m = copy.deepcopy(scp)
        cs = m["properties"]["csChargingProfiles"]["properties"]["chargingSchedule"]
        cs["properties"]["chargingSchedulePeriod"]["minItems"] = 2
        self.assertDiffers(m, scp, "chargingSchedulePeriod/minItems")

    def test_metadata_and_enum_additional_properties_ignored(self):
        base = self._ours("core", "Reset.json")
        m = copy.deepcopy(base)
        m["title"] = "Something"
        m["id"] = "urn:x"
        m["description"] = "text"
        m["properties"]["type"].pop("additionalProperties", None)
        self.assertEqual(compare_documents(m, base), [])

    def test_additional_items_only_compared_for_tuple_items(self):
        base = self._ours("security", "GetInstalledCertificateIdsResponse.json")
        arr = base["properties"]["certificateHashData"]
        self.assertIsInstance(arr["items"], dict)
        m = copy.deepcopy(base)
        m["properties"]["certificateHashData"]["additionalItems"] = False
        self.assertEqual(compare_documents(m, base), [])  # no-op keyword
        m = copy.deepcopy(base)
        m["properties"]["certificateHashData"]["minItems"] = 0
        self.assertDiffers(m, base, "/properties/certificateHashData/minItems")
        tup = {"type": "array", "items": [{"type": "string"}]}
        tup_closed = dict(tup, additionalItems=False)
        self.assertEqual(diff_schemas(tup, dict(tup)), [])
        self.assertTrue(diff_schemas(tup, tup_closed))

    def test_security_ref_mutation_detected(self):
        base = self._ours("security", "GetLog.json")
        self.assertIn("definitions", base)
        m = copy.deepcopy(base)
        m["definitions"]["LogParametersType"]["properties"]["remoteLocation"][
            "maxLength"] = 511
        self.assertDiffers(m, base, "/properties/log/properties/remoteLocation/maxLength")
        m = copy.deepcopy(base)
        m["definitions"]["LogEnumType"]["enum"].remove("SecurityLog")
        self.assertDiffers(m, base, "/properties/logType/enum")
        # inlining a definition is semantically the same
        m = copy.deepcopy(base)
        m["properties"]["log"] = copy.deepcopy(m["definitions"]["LogParametersType"])
        self.assertEqual(compare_documents(m, base), [])
        # renaming a definition consistently is semantically the same
        m = copy.deepcopy(base)
        m["definitions"]["Renamed"] = m["definitions"].pop("LogEnumType")
        m["properties"]["logType"] = {"$ref": "#/definitions/Renamed"}
        self.assertEqual(compare_documents(m, base), [])


@unittest.skipIf(ORACLE_DIR is None, ORACLE_SKIP_MSG)
class OracleEquivalenceTest(unittest.TestCase):
    """Ours vs OCA's published files (test oracle, outside the repo)."""

    def test_file_sets_match_oracle(self):
        for set_name, (sub, oracle_sub, _) in sorted(SETS.items()):
            ours = set(json_files(os.path.join(SCHEMA_DIR, sub)))
            theirs = set(json_files(os.path.join(ORACLE_DIR, oracle_sub)))
            self.assertEqual(
                (sorted(theirs - ours), sorted(ours - theirs)), ([], []),
                "%s: (missing from ours, extra in ours)" % set_name)

    def test_all_78_files_compared(self):
        compared = [n for n in dir(self) if n.startswith("test_equivalent_")]
        self.assertEqual(len(compared), 78, "per-file tests generated")

    def test_mutated_copy_differs_from_oracle(self):
        ours = load_json(os.path.join(SCHEMA_DIR, "core", "MeterValues.json"))
        theirs = load_json(os.path.join(ORACLE_DIR, "schemas", "MeterValues.json"))
        self.assertEqual(compare_documents(ours, theirs), [])
        unit = ours["properties"]["meterValue"]["items"]["properties"][
            "sampledValue"]["items"]["properties"]["unit"]
        unit["enum"] = [u for u in unit["enum"] if u != "Celcius"]
        diffs = compare_documents(ours, theirs)
        self.assertEqual(len(diffs), 1, diffs)
        self.assertIn("/unit/enum: enum differs", diffs[0])
        self.assertIn("only in oracle: \"Celcius\"", diffs[0])

    def _check_equivalent(self, sub, oracle_sub, name):
        oracle_path = os.path.join(ORACLE_DIR, oracle_sub, name)
        if not os.path.exists(oracle_path):
            self.fail("%s/%s: no oracle file %s" % (sub, name, oracle_path))
        ours = load_json(os.path.join(SCHEMA_DIR, sub, name))
        theirs = load_json(oracle_path)
        problems = ["%s/%s: %s" % (sub, name, d)
                    for d in compare_documents(ours, theirs)]
        self.assertEqual(problems, [], "\n" + "\n".join(problems))

    def test_security_definition_names_match(self):
        """Same named types as OCA (format fidelity, not semantics)."""
        sub, oracle_sub, _ = SETS["security"]
        for name in json_files(os.path.join(SCHEMA_DIR, sub)):
            oracle_path = os.path.join(ORACLE_DIR, oracle_sub, name)
            if not os.path.exists(oracle_path):
                continue
            ours = load_json(os.path.join(SCHEMA_DIR, sub, name))
            theirs = load_json(oracle_path)
            with self.subTest(file=name):
                self.assertEqual(sorted(ours.get("definitions", {})),
                                 sorted(theirs.get("definitions", {})))


def _add_per_file_tests():
    """One test method per file of ours, e.g. test_equivalent_core_Authorize."""
    for _, (sub, oracle_sub, _) in sorted(SETS.items()):
        folder = os.path.join(SCHEMA_DIR, sub)
        if not os.path.isdir(folder):
            continue
        for name in json_files(folder):
            def test(self, sub=sub, oracle_sub=oracle_sub, name=name):
                self._check_equivalent(sub, oracle_sub, name)
            test.__doc__ = "%s/%s == oracle %s/%s" % (sub, name, oracle_sub, name)
            setattr(OracleEquivalenceTest,
                    "test_equivalent_%s_%s" % (sub, name[:-len(".json")]), test)


_add_per_file_tests()


if __name__ == "__main__":
    if ORACLE_DIR is None:
        sys.stderr.write("NOTE: " + ORACLE_SKIP_MSG + "\n")
    else:
        sys.stderr.write("oracle: %s\n" % ORACLE_DIR)
    unittest.main(verbosity=2)
