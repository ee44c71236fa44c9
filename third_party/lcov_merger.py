"""Stand-in for Bazel's remote lcov merger, so `bazel coverage` works offline.

Bazel calls it with --coverage_dir, --output_file and a few flags we ignore.
gcc's gcov leaves `*.gcov.json.gz` files (and sometimes lcov `.dat`) in the
coverage dir; this converts and merges them into one lcov tracefile of the
workspace's own sources. With --report it merges per-test lcov reports.
"""
import argparse
import collections
import gzip
import json
import os
import sys


def read_gcov_json(path, lines):
    with gzip.open(path, "rt") as f:
        data = json.load(f)
    for entry in data.get("files", []):
        name = entry.get("file", "")
        # Only the workspace's sources: no system headers, no externals.
        if name.startswith("/") or name.startswith("external/"):
            continue
        for line in entry.get("lines", []):
            lines[name][line["line_number"]] += int(line.get("count", 0))


def read_lcov(path, lines):
    current = None
    with open(path, errors="replace") as f:
        for raw in f:
            raw = raw.strip()
            if raw.startswith("SF:"):
                current = raw[3:]
                lines[current]  # keep files with no executed line
            elif raw.startswith("DA:") and current is not None:
                number, count = raw[3:].split(",")[:2]
                lines[current][int(number)] += int(float(count))
            elif raw == "end_of_record":
                current = None


def write_lcov(lines, output):
    with open(output, "w") as out:
        for name in sorted(lines):
            out.write(f"SF:{name}\n")
            hits = lines[name]
            for number in sorted(hits):
                out.write(f"DA:{number},{hits[number]}\n")
            out.write(f"LH:{sum(1 for c in hits.values() if c > 0)}\nLF:{len(hits)}\n")
            out.write("end_of_record\n")


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", action="store_true")
    parser.add_argument("--coverage_dir")
    parser.add_argument("--reports_file")
    parser.add_argument("--output_file", required=True)
    args, _ = parser.parse_known_args(argv)
    lines = collections.defaultdict(collections.Counter)
    paths = []
    if args.reports_file:
        with open(args.reports_file) as f:
            paths = [line.strip() for line in f if line.strip()]
    elif args.coverage_dir:
        for root, _, files in os.walk(args.coverage_dir):
            paths += [os.path.join(root, name) for name in sorted(files)]
    for path in paths:
        if not os.path.isfile(path):
            continue
        if path.endswith(".gcov.json.gz"):
            read_gcov_json(path, lines)
        elif path.endswith((".dat", ".info")):
            read_lcov(path, lines)
    write_lcov(lines, args.output_file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
