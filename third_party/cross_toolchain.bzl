"""C++ toolchains for Debian's cross gcc (arm64, armhf), for --config=arm64/armhf.

The repository only gets fetched when a cross config asks for it, so the
host build never needs the cross packages. `./run cross ARCH` (and `./run
test --config=ARCH`) install them and unpack libwebsockets-dev:ARCH into a
sysroot of the build's own (tools/cross/setup.sh); the toolchain adds that
sysroot's include and lib directories in front of the compiler's own
multiarch ones. Everything else (OpenSSL, SQLite, libcurl's headers, libc)
comes from Debian's multiarch packages in /usr/include/<triple> and
/usr/lib/<triple>, which the cross gcc searches by itself. See docs/cross.md.
"""

_TARGETS = {
    # --cpu value: (Debian architecture, GNU triple, compile flags). Debian's
    # defaults for the triple stand (armhf: ARMv7-A, VFPv3-D16, Thumb-2).
    "aarch64": ("arm64", "aarch64-linux-gnu", []),
    "armhf": ("armhf", "arm-linux-gnueabihf", [
        # 64-bit off_t/ino_t: readdir() and stat() of a 32-bit program fail
        # with EOVERFLOW on 64-bit inode numbers or directory offsets (ext4
        # hashes under qemu-user, big XFS/btrfs file systems on a device).
        # None of the libraries we link has off_t in its API.
        "-D_FILE_OFFSET_BITS=64",
        # GCC's note that std::vector<int64_t> is passed differently than
        # before GCC 7.1, once per use: nothing here mixes compilers.
        "-Wno-psabi",
    ]),
}

_TOOLS = ["ar", "cpp", "gcc", "gcov", "ld", "nm", "objcopy", "objdump", "strip"]

def _sysroot_dir(ctx, arch):
    base = ctx.os.environ.get("OCPP16_CROSS_DIR", "")
    if not base:
        base = ctx.os.environ.get("HOME", "/root") + "/.cache/ocpp16-cross"
    return base + "/" + arch

def _toolchain_block(ctx, cpu, arch, triple, flags):
    sysroot = _sysroot_dir(ctx, arch)
    tools = {name: "/usr/bin/%s-%s" % (triple, name) for name in _TOOLS}
    tools["dwp"] = "/bin/false"
    tools["llvm-cov"] = "/bin/false"

    # gcc through a wrapper that checks the set-up at every action, not at
    # fetch time: the answer is never stale, and it says what to run.
    tools["gcc"] = "%s-gcc.sh" % arch
    ctx.file(tools["gcc"], """#!/bin/sh
if [ ! -f {sysroot}/.stamp ] || [ ! -x /usr/bin/{triple}-gcc ]; then
  echo "cross {arch}: no cross gcc or no sysroot {sysroot}: run ./run cross {arch}" >&2
  exit 1
fi
exec /usr/bin/{triple}-gcc "$@"
""".format(sysroot = sysroot, triple = triple, arch = arch), executable = True)
    include = sysroot + "/usr/include"
    libdir = sysroot + "/usr/lib/" + triple
    return """
cc_toolchain_config(
    name = "{cpu}_config",
    cpu = "{cpu}",
    compiler = "gcc",
    toolchain_identifier = "{triple}",
    host_system_name = "x86_64-linux-gnu",
    target_system_name = "{triple}",
    target_libc = "glibc",
    abi_version = "gcc",
    abi_libc_version = "glibc",
    cxx_builtin_include_directories = {builtin},
    tool_paths = {tools},
    compile_flags = {compile_flags},
    opt_compile_flags = ["-g0", "-O2", "-D_FORTIFY_SOURCE=1", "-DNDEBUG", "-ffunction-sections", "-fdata-sections"],
    dbg_compile_flags = ["-g"],
    cxx_flags = [],
    link_flags = {link_flags},
    link_libs = ["-lstdc++", "-lm"],
    opt_link_flags = ["-Wl,--gc-sections"],
    unfiltered_compile_flags = [
        "-fno-canonical-system-headers",
        "-Wno-builtin-macro-redefined",
        "-D__DATE__=\\"redacted\\"",
        "-D__TIMESTAMP__=\\"redacted\\"",
        "-D__TIME__=\\"redacted\\"",
    ],
    coverage_compile_flags = ["--coverage"],
    coverage_link_flags = ["--coverage"],
    supports_start_end_lib = False,
)

cc_toolchain(
    name = "cc-compiler-{cpu}",
    toolchain_identifier = "{triple}",
    toolchain_config = ":{cpu}_config",
    all_files = ":tool_files",
    ar_files = ":tool_files",
    as_files = ":tool_files",
    compiler_files = ":tool_files",
    dwp_files = ":empty",
    linker_files = ":tool_files",
    objcopy_files = ":empty",
    strip_files = ":empty",
    supports_param_files = 1,
)
""".format(
        cpu = cpu,
        triple = triple,
        tools = repr(tools),
        builtin = repr([
            include,
            "/usr/lib/gcc-cross/%s" % triple,
            "/usr/%s/include" % triple,
            "/usr/include",
        ]),
        # The sysroot first: /usr/include/lws_config.h is the amd64 one.
        compile_flags = repr(flags + [
            "-isystem",
            include,
            "-U_FORTIFY_SOURCE",
            "-fstack-protector",
            "-Wall",
            "-Wunused-but-set-parameter",
            "-Wno-free-nonheap-object",
            "-fno-omit-frame-pointer",
        ]),
        link_flags = repr([
            "-L" + libdir,
            "-Wl,-no-as-needed",
            "-Wl,-z,relro,-z,now",
            "-pass-exit-codes",
        ]),
    )

def _cross_toolchains_impl(ctx):
    blocks = []
    suite = {}
    for cpu, (arch, triple, flags) in _TARGETS.items():
        blocks.append(_toolchain_block(ctx, cpu, arch, triple, flags))
        suite[cpu] = ":cc-compiler-" + cpu
        suite[cpu + "|gcc"] = ":cc-compiler-" + cpu
    ctx.file("BUILD.bazel", """# Generated by //third_party:cross_toolchain.bzl.
load("@bazel_tools//tools/cpp:unix_cc_toolchain_config.bzl", "cc_toolchain_config")

package(default_visibility = ["//visibility:public"])

filegroup(name = "empty")

filegroup(
    name = "tool_files",
    srcs = glob(["*-gcc.sh"]),
)

cc_toolchain_suite(
    name = "toolchain",
    toolchains = {suite},
)
""".format(suite = repr(suite)) + "".join(blocks))

cross_toolchains = repository_rule(
    implementation = _cross_toolchains_impl,
    environ = ["HOME", "OCPP16_CROSS_DIR"],
    local = True,
)
