"""Unit tests of the generator: unsupported constructs stop it with the file
and JSON pointer, naming rules, determinism."""
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ocpp_gen  # noqa: E402
import schema_model  # noqa: E402

ROOT = os.path.dirname(HERE)


class TempTree:
    """A copy of schemas/ in a temp dir that a test may break."""

    def __init__(self):
        self.root = tempfile.mkdtemp()
        for d in ocpp_gen.SCHEMA_DIRS:
            shutil.copytree(os.path.join(ROOT, d), os.path.join(self.root, d))

    def edit(self, relpath, change):
        path = os.path.join(self.root, relpath)
        with open(path) as f:
            schema = json.load(f)
        change(schema)
        with open(path, "w") as f:
            json.dump(schema, f)



class GeneratorTest(unittest.TestCase):
    def setUp(self):
        self.tree = TempTree()

    def tearDown(self):
        shutil.rmtree(self.tree.root)

    def error_for(self, relpath, change):
        self.tree.edit(relpath, change)
        with self.assertRaises(schema_model.SchemaError) as ctx:
            ocpp_gen.render_all(self.tree.root)
        return str(ctx.exception)

    def test_unsupported_keyword_names_file_and_pointer(self):
        msg = self.error_for("schemas/core/BootNotification.json",
                             lambda s: s["properties"]["chargePointVendor"].update(pattern="^A"))
        self.assertIn("schemas/core/BootNotification.json#/properties/chargePointVendor", msg)
        self.assertIn("pattern", msg)

    def test_unsupported_format(self):
        msg = self.error_for("schemas/core/Heartbeat.json",
                             lambda s: s["properties"].update(x={"type": "string",
                                                                 "format": "email"}))
        self.assertIn("Heartbeat.json#/properties/x", msg)
        self.assertIn("email", msg)

    def test_dangling_ref(self):
        msg = self.error_for("schemas/security/GetLog.json",
                             lambda s: s["properties"].update(logType={"$ref": "#/definitions/Nope"}))
        self.assertIn("GetLog.json#/properties/logType", msg)

    def test_conflicting_type_names_are_reported(self):
        def change(s):
            s["properties"]["idTagInfo"]["properties"]["extra"] = {"type": "integer"}
        msg = self.error_for("schemas/core/StartTransactionResponse.json", change)
        self.assertIn("IdTagInfo", msg)
        self.assertIn("type_names.json", msg)

    def test_required_must_name_a_property(self):
        msg = self.error_for("schemas/core/Authorize.json",
                             lambda s: s["required"].append("ghost"))
        self.assertIn("Authorize.json#/required", msg)

    def test_output_is_deterministic_and_undated(self):
        first = ocpp_gen.render_all(self.tree.root)
        second = ocpp_gen.render_all(self.tree.root)
        self.assertEqual(first, second)
        for name, text in first.items():
            self.assertNotIn(self.tree.root, text, name)
            if name.endswith((".h", ".cc")):
                self.assertNotRegex(text, r"\b20[0-9]{2}\b", f"a year in {name}")
        self.assertIn("do not edit", first["boot_notification.h"])
        self.assertIn("schemas/core/BootNotification.json", first["boot_notification.h"])

    def test_new_schema_file_is_picked_up_by_regeneration(self):
        # The errata workflow: change a schema file, regenerate, nothing else.
        self.tree.edit("schemas/core/Heartbeat.json",
                       lambda s: s["properties"].update(note={"type": "string", "maxLength": 7}))
        files = ocpp_gen.render_all(self.tree.root)
        self.assertIn("codec::CiString<7>> note;", files["heartbeat.h"])


class NamingTest(unittest.TestCase):
    def test_snake_case(self):
        self.assertEqual(schema_model.snake_case("chargePointVendor"), "charge_point_vendor")
        self.assertEqual(schema_model.snake_case("idTag"), "id_tag")
        self.assertEqual(schema_model.snake_case("default"), "default_")

    def test_enum_constants(self):
        self.assertEqual(schema_model.enum_constant("Energy.Active.Import.Register"),
                         "kEnergyActiveImportRegister")
        self.assertEqual(schema_model.enum_constant("L1-N"), "kL1N")
        self.assertEqual(schema_model.enum_constant("kWh"), "kKWh")


if __name__ == "__main__":
    unittest.main()
