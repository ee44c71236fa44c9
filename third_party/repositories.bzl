"""Offline replacements for what Bazel 4.2.3 would otherwise download.

Everything here comes from Debian packages installed by ./run; see
docs/build.md for why each rule exists.
"""

load("//third_party:cross_toolchain.bzl", "cross_toolchains")

def _rules_cc_debian_impl(ctx):
    src = ctx.path("/usr/share/bazel/rules/cc")
    if not src.exists:
        fail("Debian's bazel-rules-cc is missing: run ./run setup")
    for child in src.readdir():
        if child.basename in ("cc",):
            continue
        ctx.symlink(child, child.basename)

    # Copy cc/ file by file so the two files that need Bazel 5 can be rewritten.
    result = ctx.execute(["cp", "-r", str(src) + "/cc", "."])
    if result.return_code != 0:
        fail("copying rules_cc failed: " + result.stderr)
    for name in ["cc_flags_supplier.bzl", "compiler_flag.bzl"]:
        path = "cc/private/rules_impl/" + name
        text = ctx.read(path)
        text = text.replace(', "use_cpp_toolchain")', ")")
        text = text.replace("use_cpp_toolchain()", '["@bazel_tools//tools/cpp:toolchain_type"]')
        ctx.file(path, text, executable = False)

rules_cc_debian = repository_rule(
    implementation = _rules_cc_debian_impl,
    local = True,
)

def _rules_java_stub_impl(ctx):
    ctx.file("BUILD.bazel", "")
    ctx.file("java/BUILD.bazel", "")
    ctx.file("java/defs.bzl", """
def java_binary(**kwargs):
    native.java_binary(**kwargs)

def java_library(**kwargs):
    native.java_library(**kwargs)

def java_import(**kwargs):
    native.java_import(**kwargs)

def java_test(**kwargs):
    native.java_test(**kwargs)

def java_toolchain(**kwargs):
    native.java_toolchain(**kwargs)

def java_runtime(**kwargs):
    native.java_runtime(**kwargs)

def java_plugin(**kwargs):
    native.java_plugin(**kwargs)

def java_proto_library(**kwargs):
    native.java_proto_library(**kwargs)

def java_lite_proto_library(**kwargs):
    native.java_lite_proto_library(**kwargs)
""")

rules_java_stub = repository_rule(implementation = _rules_java_stub_impl)

def _coverage_tools_impl(ctx):
    # The merger's source is embedded in the wrappers: coverage actions run
    # them outside any runfiles tree.
    merger = ctx.read(ctx.attr.merger)
    ctx.file("lcov_merger.py", merger)
    ctx.file("lcov_merger.sh", "#!/bin/sh\nexec /usr/bin/python3 - \"$@\" <<'PY'\n" + merger +
                                 "PY\n", executable = True)
    ctx.file("report_generator.sh", "#!/bin/sh\nexec /usr/bin/python3 - --report \"$@\" <<'PY'\n" +
                                       merger + "PY\n", executable = True)
    ctx.file("BUILD.bazel", """
package(default_visibility = ["//visibility:public"])

sh_binary(
    name = "lcov_merger",
    srcs = ["lcov_merger.sh"],
    data = ["lcov_merger.py"],
)

sh_binary(
    name = "coverage_report_generator",
    srcs = ["report_generator.sh"],
    data = ["lcov_merger.py"],
)

filegroup(name = "coverage_output_generator", srcs = [":lcov_merger"])
""")
    ctx.file("collect_cc_coverage/BUILD.bazel", "")

coverage_tools = repository_rule(
    implementation = _coverage_tools_impl,
    attrs = {"merger": attr.label(allow_single_file = True)},
)

def ocpp_dependencies():
    rules_cc_debian(name = "rules_cc")
    rules_java_stub(name = "rules_java")
    coverage_tools(
        name = "remote_coverage_tools",
        merger = "//third_party:lcov_merger.py",
    )
    # Only fetched by --config=arm64/armhf (docs/cross.md).
    cross_toolchains(name = "ocpp_cross")
    native.new_local_repository(
        name = "googletest",
        path = "/usr/src/googletest",
        build_file = "//third_party:googletest.BUILD",
    )
