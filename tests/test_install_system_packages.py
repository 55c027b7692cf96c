"""scripts/install-system-packages, with fake dpkg-query, id, sudo and apt-get on the PATH:
apt-get where the user may, else one line saying what to run (exit 0, so `make demo`
goes on; 1 with --require, as CI calls it); `make setup` runs it first."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "install-system-packages"
PACKAGES = "chromium poppler-utils fonts-dejavu-core r-base-core r-cran-survey postgresql"


def fake_bin(tmp_path: Path, uid: int, installed: str = "", apt_ok: bool = True) -> Path:
    """A PATH of fakes: dpkg-query says only `installed` are, apt-get logs its arguments."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scripts = {
        "dpkg-query": f'case " {installed} " in *" ${{!#}} "*) '
        'printf "install ok installed";; *) exit 1;; esac',
        "id": f"echo {uid}",
        "apt-get": f'echo "$@" >> {tmp_path}/apt.log; exit {0 if apt_ok else 100}',
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(f"#!/bin/bash\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "mktemp").symlink_to(shutil.which("mktemp"))
    return bin_dir


def install(bin_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["/bin/bash", str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={"PATH": str(bin_dir)},
        timeout=60,
    )


def test_without_root_nor_sudo_one_line_says_what_to_run(tmp_path):
    done = install(fake_bin(tmp_path, uid=1000, installed="fonts-dejavu-core postgresql"))
    missing = "chromium poppler-utils r-base-core r-cran-survey"
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == (
        f"system packages missing ({missing}): run: sudo sh -c 'apt-get "
        f"update && apt-get install -y --no-install-recommends {missing}'\n"
    )
    assert install(tmp_path / "bin", "--require").returncode == 1
    assert not (tmp_path / "apt.log").exists()


def test_as_root_apt_get_installs_what_is_missing(tmp_path):
    done = install(fake_bin(tmp_path, uid=0, installed="postgresql"))
    assert done.returncode == 0, done.stderr
    log = (tmp_path / "apt.log").read_text().splitlines()
    assert log[0].endswith("update -qq")
    assert log[1].endswith(
        f"install -y -qq --no-install-recommends {PACKAGES.removesuffix(' postgresql')}"
    )


@pytest.mark.parametrize(("args", "code"), [((), 0), (("--require",), 1)])
def test_a_failing_apt_get_is_one_line(tmp_path, args, code):
    done = install(fake_bin(tmp_path, uid=0, apt_ok=False), *args)
    assert done.returncode == code
    assert done.stderr.splitlines()[-1].startswith(
        f"system packages missing ({PACKAGES}): apt-get failed (see "
    )


def test_nothing_to_do_when_everything_is_installed(tmp_path):
    done = install(fake_bin(tmp_path, uid=1000, installed=PACKAGES))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_make_demo_and_test_install_the_system_packages_first():
    for target in ("demo", "test"):
        plan = subprocess.run(
            ["make", "-n", "--no-print-directory", target],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        assert plan[0] == "scripts/install-system-packages", plan[:3]
    assert "scripts/install-system-packages --require" in (REPO / ".ci" / "run").read_text()
