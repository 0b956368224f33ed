#!/usr/bin/env python3
"""The Debian package and the systemd unit (docs/operations.md).

Builds the package with `cmake --build BUILD --target package` (BUILD: the
folder holding SLUICED_BIN), checks its contents and control files, then runs
`systemd-analyze verify` and `systemd-analyze security --offline=true` on the
unit as shipped in the package (operations.md section 2).

Environment (set by CTest): SLUICED_BIN, SLUICED_SOURCE_DIR.
"""
import glob
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = pathlib.Path(os.environ.get("SLUICED_SOURCE_DIR")
                    or pathlib.Path(__file__).resolve().parents[2])
BIN = os.environ.get("SLUICED_BIN")

# Paths the package must hold, as dpkg-deb --contents prints them.
EXPECTED = [
    "./usr/bin/sluiced",
    "./lib/systemd/system/sluiced.service",
    "./usr/share/sluiced/pipeline.schema.json",
    "./etc/sluiced/pipelines.d/example.yaml",
    "./etc/default/sluiced",
    "./usr/share/man/man1/sluiced.1.gz",
]
MAX_EXPOSURE = 1.5  # operations.md section 2


def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 500)
    return subprocess.run(cmd, **kw)


class Package(unittest.TestCase):
    deb = None
    build_log = ""
    tmp = None

    @classmethod
    def setUpClass(cls):
        if not BIN or not os.path.exists(BIN):
            raise unittest.SkipTest("SLUICED_BIN not set or not built")
        build = os.path.dirname(os.path.abspath(BIN))
        if not os.path.exists(os.path.join(build, "CPackConfig.cmake")):
            raise unittest.SkipTest(
                "no CPackConfig.cmake in the build folder: CMakeLists.txt does not "
                "include(cmake/packaging.cmake) yet")
        for tool in ("dpkg-deb", "dpkg-shlibdeps"):
            if not shutil.which(tool):
                raise unittest.SkipTest(f"{tool} missing (packaging/install-deps.sh installs dpkg-dev)")
        r = run(["cmake", "--build", build, "--target", "package"])
        cls.build_log = r.stdout + r.stderr
        print(cls.build_log[-3000:])
        if r.returncode != 0:
            raise AssertionError(f"`cmake --build {build} --target package` failed:\n{cls.build_log}")
        debs = glob.glob(os.path.join(build, "sluiced_*.deb"))
        if not debs:
            raise AssertionError(f"no sluiced_*.deb in {build}:\n{cls.build_log}")
        cls.deb = max(debs, key=os.path.getmtime)
        print(f"package: {cls.deb}")
        cls.tmp = tempfile.mkdtemp(prefix="sluiced-pkg-")
        cls.root = os.path.join(cls.tmp, "root")
        x = run(["dpkg-deb", "-x", cls.deb, cls.root])
        if x.returncode != 0:
            raise AssertionError(x.stderr)

    @classmethod
    def tearDownClass(cls):
        if cls.tmp:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- contents ----
    def test_contents(self):
        r = run(["dpkg-deb", "--contents", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        print(r.stdout)
        paths = {line.split()[-1]: line.split()[0] for line in r.stdout.splitlines() if line.strip()}
        for p in EXPECTED:
            self.assertIn(p, paths, f"{p} missing from the package")
        self.assertEqual(paths["./usr/bin/sluiced"], "-rwxr-xr-x")
        self.assertEqual(paths["./etc/default/sluiced"], "-rw-------",
                         "/etc/default/sluiced may hold tokens: 0600")
        self.assertEqual(paths["./lib/systemd/system/sluiced.service"], "-rw-r--r--")
        self.assertFalse([p for p in paths if p.startswith("./var/")],
                         "/var/lib/sluiced is StateDirectory='s, not the package's")

    def test_control(self):
        r = run(["dpkg-deb", "--field", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        print(r.stdout)
        fields = dict(re.findall(r"^([A-Za-z-]+): ?(.*)$", r.stdout, re.M))
        self.assertEqual(fields.get("Package"), "sluiced")
        self.assertTrue(fields.get("Maintainer"))
        self.assertTrue(fields.get("Section"))
        self.assertIn("libc6", fields.get("Depends", ""), "dpkg-shlibdeps did not run")

    def test_every_file_under_etc_is_a_conffile(self):
        r = run(["dpkg-deb", "--info", self.deb, "conffiles"])
        self.assertEqual(r.returncode, 0, f"no conffiles in the package: {r.stderr}")
        conffiles = set(r.stdout.split())
        under_etc = set()
        for dirpath, _, files in os.walk(os.path.join(self.root, "etc")):
            for f in files:
                under_etc.add("/" + os.path.relpath(os.path.join(dirpath, f), self.root))
        self.assertTrue(under_etc)
        self.assertEqual(conffiles, under_etc)

    def test_maintainer_scripts(self):
        with tempfile.TemporaryDirectory() as d:
            r = run(["dpkg-deb", "--control", self.deb, d])
            self.assertEqual(r.returncode, 0, r.stderr)
            for s in ("postinst", "prerm", "postrm"):
                p = os.path.join(d, s)
                self.assertTrue(os.path.exists(p), f"{s} missing")
                self.assertTrue(os.access(p, os.X_OK), f"{s} not executable")
                self.assertEqual(run(["sh", "-n", p]).returncode, 0, f"{s}: syntax error")
                self.assertIn("sluiced.service", pathlib.Path(p).read_text())

    def test_files_are_the_repository_files(self):
        pairs = {
            "lib/systemd/system/sluiced.service": ROOT / "packaging" / "sluiced.service",
            "usr/share/sluiced/pipeline.schema.json": ROOT / "schemas" / "pipeline.schema.json",
            "etc/sluiced/pipelines.d/example.yaml": ROOT / "packaging" / "pipelines.d" / "example.yaml",
            "etc/default/sluiced": ROOT / "packaging" / "default" / "sluiced",
        }
        for inside, repo in pairs.items():
            with self.subTest(path=inside):
                self.assertEqual(pathlib.Path(self.root, inside).read_bytes(), repo.read_bytes())

    def test_binary_is_stripped_and_runs(self):
        b = os.path.join(self.root, "usr", "bin", "sluiced")
        if shutil.which("file"):
            out = run(["file", "-L", b]).stdout
            print(out)
            self.assertIn("stripped", out)
            self.assertNotIn("not stripped", out)
        r = run([b, "version"], timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_packaged_example_is_an_empty_valid_configuration(self):
        """`sluiced check` (as ExecReload= runs it) accepts the shipped pipelines.d."""
        d = os.path.join(self.root, "etc", "sluiced", "pipelines.d")
        r = run([BIN, "check", "--quiet", d], timeout=60)
        print(r.stdout, r.stderr)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stdout, "", "--quiet prints only errors")

    def test_commented_example_passes_check_and_its_tests(self):
        """Uncommented, the shipped example is a pipeline whose own test passes."""
        lines = pathlib.Path(self.root, "etc/sluiced/pipelines.d/example.yaml").read_text().splitlines()
        start = lines.index("# pipelines:")
        body = "\n".join(l[2:] if l.startswith("# ") else l[1:] for l in lines[start:]) + "\n"
        p = os.path.join(self.tmp, "example-uncommented.yaml")
        pathlib.Path(p).write_text(body)
        env = dict(os.environ, ORDERS_API_TOKEN="x")
        for cmd in (["check", "--quiet", p], ["test", p]):
            with self.subTest(cmd=cmd[0]):
                r = run([BIN] + cmd, env=env, timeout=60)
                print(r.stdout, r.stderr)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_man_page_renders_without_warnings(self):
        groff = shutil.which("groff")
        if not groff:
            self.skipTest("groff missing")
        gz = os.path.join(self.root, "usr", "share", "man", "man1", "sluiced.1.gz")
        src = run(["gzip", "-dc", gz]).stdout
        r = run([groff, "-man", "-ww", "-z"], input=src)
        self.assertEqual(r.stderr, "")
        for cmd in ("run", "check", "test", "schema", "tap", "state", "version",
                    "--pipeline", "--log-format", "--log-level", "--metrics-listen",
                    "--shutdown-timeout", "--state-dir", "--quiet", "--now", "--once"):
            self.assertIn(cmd.replace("-", "\\-"), src, f"man page lacks {cmd}")

    # ---- systemd ----
    def unit_for_verify(self):
        """The packaged unit with /usr/bin/sluiced pointed at the extracted
        binary: verify checks that ExecStart= and ExecReload= exist."""
        unit = pathlib.Path(self.root, "lib/systemd/system/sluiced.service").read_text()
        binary = os.path.join(self.root, "usr", "bin", "sluiced")
        d = tempfile.mkdtemp(dir=self.tmp)
        p = os.path.join(d, "sluiced.service")
        with open(p, "w") as f:
            f.write(unit.replace("/usr/bin/sluiced", binary))
        return p

    def test_systemd_analyze_verify_is_silent(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze not installed")
        p = self.unit_for_verify()
        r = run(["systemd-analyze", "verify", "--man=no", p])
        print(f"systemd-analyze verify: rc={r.returncode} output={r.stdout + r.stderr!r}")
        self.assertEqual(r.stdout + r.stderr, "")
        self.assertEqual(r.returncode, 0)
        # The check is not vacuous: a value 252 does not know is reported.
        bad = p.replace("sluiced.service", "bad.service")
        with open(p) as src, open(bad, "w") as dst:
            dst.write(src.read().replace("Type=notify", "Type=notify-reload"))
        r = run(["systemd-analyze", "verify", "--man=no", bad])
        self.assertNotEqual(r.stdout + r.stderr, "", "verify reported nothing for a bad unit")

    def test_systemd_analyze_security_exposure(self):
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze not installed")
        p = self.unit_for_verify()
        r = run(["systemd-analyze", "security", "--offline=true", "--threshold=15", p])
        out = r.stdout + r.stderr
        if "--offline" in out and ("unrecognized" in out or "Unknown option" in out):
            self.skipTest("this systemd-analyze has no --offline")
        m = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\S+)", out)
        self.assertIsNotNone(m, out)
        print(f"exposure: {m.group(1)} {m.group(2)}")
        self.assertLessEqual(float(m.group(1)), MAX_EXPOSURE, out)
        self.assertEqual(r.returncode, 0, out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
