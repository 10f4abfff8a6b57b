"""The wheel installs into a fresh venv, runs, and carries templates/ inside the package."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

CHECK = """
import sys, sysconfig
from pathlib import Path
import configurator, configurator.resources as r
d = r.templates_dir()
site = Path(sysconfig.get_paths()["purelib"]).resolve()
assert d.resolve().is_relative_to(site), (d, site)
assert d.name == "_templates" and d.parent.name == "configurator", d
print(d)
print("\\n".join(sorted(str(p.relative_to(d)) for p in d.rglob("*") if p.is_file())))
"""


def run(*cmd: str | Path, cwd: Path | None = None) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=180, cwd=cwd)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_wheel_installs_and_finds_its_templates(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # --no-build-isolation: use the hatchling already installed here, so this works offline and fast
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet", "-w", dist, ROOT)
    wheels = list(dist.glob("agent_configurator-*.whl"))
    assert len(wheels) == 1
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    py = venv / "bin" / "python"
    # the dependencies (click, tomlkit, ...) come from the environment running the tests, offline; a plain
    # path line does not run that environment's .pth files, so an editable configurator there stays invisible
    site = Path(run(py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "_test_deps.pth").write_text("\n".join(sorted(ours)) + "\n")
    run(sys.executable, "-m", "pip", "--python", py, "install", "--no-deps", "--no-index", "--quiet", wheels[0])

    from configurator import __version__

    outside = tmp_path / "elsewhere"  # not the checkout: nothing may come from the source tree
    outside.mkdir()
    assert run(venv / "bin" / "configurator", "--version", cwd=outside).strip() == f"configurator, version {__version__}"
    assert run(py, "-m", "configurator", "--version", cwd=outside).strip() == f"configurator, version {__version__}"
    out = run(py, "-I", "-c", CHECK, cwd=outside).splitlines()
    installed_files = set(out[1:])
    shipped = {str(p.relative_to(ROOT / "templates")) for p in (ROOT / "templates").rglob("*") if p.is_file()}
    assert shipped <= installed_files
    # an installed (non-editable) copy, not the checkout
    assert not Path(out[0]).resolve().is_relative_to(ROOT.resolve())
