"""generated/ocpp16 must be exactly what the generator makes from schemas/."""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import ocpp_gen  # noqa: E402


class StalenessTest(unittest.TestCase):
    def test_generated_code_is_current(self):
        root = os.path.dirname(HERE)  # the runfiles tree mirrors the workspace
        self.assertEqual(ocpp_gen.main(["--root", root, "--check"]), 0,
                         "generated/ocpp16 is stale: run `bazel run //codegen:regenerate`")


if __name__ == "__main__":
    unittest.main()
