"""Stand-in for Bazel's remote lcov merger, so `bazel coverage` works offline.

Bazel calls it with --coverage_dir, --output_file and a few flags we ignore;
it concatenates the lcov tracefiles gcov/collect_cc_coverage left behind.
With --report it merges the per-test reports into one combined report.
"""
import argparse
import os
import sys


def merge(paths, output):
    with open(output, "w") as out:
        for path in paths:
            with open(path, errors="replace") as f:
                text = f.read()
            if text and not text.endswith("\n"):
                text += "\n"
            out.write(text)


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--coverage_dir")
    parser.add_argument("--reports_file")
    parser.add_argument("--output_file", required=True)
    args, _ = parser.parse_known_args(argv)
    paths = []
    if args.reports_file:
        with open(args.reports_file) as f:
            paths = [line.strip() for line in f if line.strip()]
    elif args.coverage_dir:
        for root, _, files in os.walk(args.coverage_dir):
            for name in sorted(files):
                if name.endswith((".dat", ".info")):
                    paths.append(os.path.join(root, name))
    paths = [p for p in paths if os.path.isfile(p)]
    merge(paths, args.output_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
