"""Checks deploy/kubernetes without a cluster or a container engine.

- station-fleet-job.yaml parses and is an Indexed Job;
- its container command, run by /bin/sh as the pod would with a stub in
  place of station_fleet, gives pod k `--first k*N --count N`, and that
  command line is one station_fleet accepts (//station/fleet:fleet_flag_names
  --check parses it with station_fleet's own parser);
- the Containerfile installs a Debian package for every shared library the
  binary needs (ldd, then dpkg -S on this Debian machine).

Usage (from Bazel): manifest_test.py MANIFEST CONTAINERFILE FLAG_NAMES STATION_FLEET
"""

import os
import re
import shlex
import subprocess
import sys
import tempfile
import unittest

import yaml

MANIFEST, CONTAINERFILE, FLAG_NAMES, STATION_FLEET = sys.argv[1:5]
# ARM builds under emulation (docs/cross.md): the build's programs run
# through the wrapper.
RUN = os.environ.get("CROSS_EXEC_WRAPPER", "").split()
# Multiarch directories of the ELF machines a build targets.
TRIPLETS = {"AArch64": "aarch64-linux-gnu", "ARM": "arm-linux-gnueabihf",
            "Advanced Micro Devices X86-64": "x86_64-linux-gnu"}

# What the Secret would hold; the test needs values, not these.
SECRET_VALUES = {"CSMS_URL": "wss://csms.example.com/ocpp", "CSMS_PASSWORD": "pass word$1"}
# Runtimes of sanitizer builds (bazel test --config=asan): not in an -c opt image.
SANITIZER_LIBRARIES = re.compile(r"^lib(asan|ubsan|tsan|lsan)\.so")


def load_job():
    with open(MANIFEST) as f:
        documents = [d for d in yaml.safe_load_all(f) if d is not None]
    return documents


def container(job):
    containers = job["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1, "one container expected"
    return containers[0]


def pod_env(spec, index):
    """The environment the pod's shell sees: literal values, Secret stand-ins
    and the index Kubernetes sets for an Indexed Job."""
    env = {"PATH": "/usr/bin:/bin", "JOB_COMPLETION_INDEX": str(index)}
    for item in spec.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        else:
            env[item["name"]] = SECRET_VALUES[item["name"]]
    return env


def run_pod_command(spec, index, stub_dir):
    """Runs the container's command/args with /bin/sh and a stub
    station_fleet that prints its arguments NUL-separated."""
    command = spec["command"] + spec.get("args", [])
    assert command[:2] == ["/bin/sh", "-c"], command
    script = command[2]
    binary = "/usr/local/bin/station_fleet"
    assert script.startswith("exec " + binary + " "), script
    stub = os.path.join(stub_dir, "station_fleet")
    with open(stub, "w") as f:
        f.write('#!/bin/sh\nprintf "%s\\0" "$@"\n')
    os.chmod(stub, 0o755)
    result = subprocess.run(
        ["/bin/sh", "-c", script.replace(binary, stub, 1)] + command[3:],
        env=pod_env(spec, index),
        capture_output=True,
        check=True,
    )
    return result.stdout.decode().split("\0")[:-1]


def flag_value(args, flag):
    values = [args[i + 1] for i, a in enumerate(args[:-1]) if a == flag]
    assert len(values) == 1, (flag, args)
    return values[0]


class ManifestTest(unittest.TestCase):
    def setUp(self):
        documents = load_job()
        self.assertEqual(len(documents), 1)
        self.job = documents[0]
        self.spec = container(self.job)

    def test_is_an_indexed_job(self):
        self.assertEqual(self.job["apiVersion"], "batch/v1")
        self.assertEqual(self.job["kind"], "Job")
        spec = self.job["spec"]
        self.assertEqual(spec["completionMode"], "Indexed")
        self.assertIsInstance(spec["completions"], int)
        self.assertGreaterEqual(spec["parallelism"], 1)
        self.assertEqual(spec["template"]["spec"]["restartPolicy"], "Never")

    def test_pods_get_disjoint_station_ranges(self):
        per_pod = int(pod_env(self.spec, 0)["STATIONS_PER_POD"])
        with tempfile.TemporaryDirectory() as stub_dir:
            for index in (0, 1, 7):
                args = run_pod_command(self.spec, index, stub_dir)
                self.assertEqual(flag_value(args, "--first"), str(index * per_pod))
                self.assertEqual(flag_value(args, "--count"), str(per_pod))
                self.assertEqual(flag_value(args, "--csms"), SECRET_VALUES["CSMS_URL"])
                # Quoted: a password with a space or a $ arrives whole.
                self.assertEqual(flag_value(args, "--password"), SECRET_VALUES["CSMS_PASSWORD"])

    def test_station_fleet_accepts_the_command_line(self):
        names = subprocess.run(RUN + [FLAG_NAMES], capture_output=True, text=True, check=True)
        accepted = set(names.stdout.split())
        self.assertIn("--csms", accepted)
        with tempfile.TemporaryDirectory() as stub_dir:
            args = run_pod_command(self.spec, 3, stub_dir)
        flags = {a.split("=", 1)[0] for a in args if a.startswith("--")}
        self.assertEqual(flags - accepted, set())
        check = subprocess.run(RUN + [FLAG_NAMES, "--check"] + args, capture_output=True, text=True)
        self.assertEqual(check.returncode, 0, check.stderr)

    def test_the_checker_refuses_what_station_fleet_refuses(self):
        # Guards the test above against a --check that accepts anything.
        bad = ["--csms", "ws://127.0.0.1:1", "--count", "1", "--data-dir", "/tmp/x", "--nope", "1"]
        check = subprocess.run(RUN + [FLAG_NAMES, "--check"] + bad, capture_output=True, text=True)
        self.assertEqual(check.returncode, 1)
        self.assertIn("unknown flag --nope", check.stderr)


def containerfile_instructions():
    with open(CONTAINERFILE) as f:
        text = re.sub(r"\\\n", " ", f.read())
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def installed_packages(instructions):
    packages = set()
    for line in instructions:
        if not line.startswith("RUN "):
            continue
        for step in line[4:].split("&&"):
            words = shlex.split(step)
            if words[:2] == ["apt-get", "install"]:
                packages.update(w for w in words[2:] if not w.startswith("-"))
    return packages


def library_paths(binary, sonames):
    """Where the loader finds each of `sonames`: ldd for a host binary; for
    another architecture's (which ldd cannot load) the multiarch
    directories of its ELF machine."""
    ldd = subprocess.run(["ldd", binary], capture_output=True, text=True)
    if ldd.returncode == 0 and "=>" in ldd.stdout:
        paths = dict(re.findall(r"^\s*(\S+) => (\S+) \(0x", ldd.stdout, re.MULTILINE))
        # The dynamic loader (NEEDED in some builds) is listed by its path.
        for path in re.findall(r"^\s*(/\S+) \(0x", ldd.stdout, re.MULTILINE):
            paths[os.path.basename(path)] = path
        return paths
    header = subprocess.run(["readelf", "-h", binary], capture_output=True, text=True, check=True)
    machine = re.search(r"Machine:\s+(.+)", header.stdout).group(1).strip()
    triplet = TRIPLETS[machine]
    paths = {}
    for soname in sonames:
        for directory in (f"/usr/lib/{triplet}", f"/lib/{triplet}", "/usr/lib", "/lib"):
            if os.path.exists(os.path.join(directory, soname)):
                paths[soname] = os.path.join(directory, soname)
                break
    return paths


def needed_packages(binary):
    """Debian packages of the shared libraries `binary` names (readelf's
    NEEDED; apt brings what those need), found through the paths ldd
    resolves them to: dpkg -S with the multiarch directory (the same soname
    exists for other architectures) and any prefix (usr-merged or not)."""
    dynamic = subprocess.run(
        ["readelf", "-d", binary], capture_output=True, text=True, check=True
    ).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(\S+)\]", dynamic)
    paths = library_paths(binary, needed)
    packages = {}
    for soname in needed:
        if SANITIZER_LIBRARIES.match(soname):
            continue
        path = paths[soname]
        pattern = "*/" + os.path.basename(os.path.dirname(path)) + "/" + soname
        owner = subprocess.run(["dpkg", "-S", pattern], capture_output=True, text=True, check=True)
        packages[soname] = {l.split(":", 1)[0].strip() for l in owner.stdout.splitlines()}
    return packages


class ContainerfileTest(unittest.TestCase):
    def test_base_entrypoint_and_binary(self):
        instructions = containerfile_instructions()
        self.assertEqual(instructions[0], "FROM debian:bookworm-slim")
        self.assertIn("COPY station_fleet /usr/local/bin/station_fleet", instructions)
        self.assertIn('ENTRYPOINT ["/usr/local/bin/station_fleet"]', instructions)

    def test_packages_cover_the_needed_libraries(self):
        packages = installed_packages(containerfile_instructions())
        self.assertIn("libwebsockets17", packages)
        needed = needed_packages(STATION_FLEET)
        self.assertIn("libwebsockets.so.17", needed)
        for soname, owners in sorted(needed.items()):
            self.assertTrue(owners & packages, f"{soname} comes from {owners}, not installed")

    def test_manifest_runs_the_image_as_its_user(self):
        job = load_job()[0]
        pod = job["spec"]["template"]["spec"]
        self.assertIn("USER 10001:10001", containerfile_instructions())
        self.assertEqual(pod["securityContext"]["runAsUser"], 10001)
        mounts = {m["mountPath"] for m in container(job)["volumeMounts"]}
        self.assertIn("/var/lib/station-fleet", mounts)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
