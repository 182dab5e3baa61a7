"""scripts/bootstrap.sh waits for a package manager that holds apt's locks instead of failing
(scripts/apt.sh), shown with a stand-in apt-get that is locked out a given number of times."""

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LISTS_LOCKED = (
    "E: Could not get lock /var/lib/apt/lists/lock. It is held by process 4242 (unattended-upgr)\n"
    "E: Unable to lock directory /var/lib/apt/lists/"
)
# What apt-get -qq install says once its own DPkg::Lock::Timeout has run out.
DPKG_LOCKED = (
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), "
    "is another process using it?"
)


def apt_get(tmp_path, *args, locked_times=0, locked=LISTS_LOCKED, error=None, wait=600):
    """Run `apt_get <args>` from scripts/apt.sh with a stand-in apt-get that fails on the lock
    `locked_times` times (or with `error` every time), then succeeds. Returns the result and the
    arguments each call of the stand-in received."""
    calls = tmp_path / "calls"
    fake = tmp_path / "bin" / "apt-get"
    fake.parent.mkdir()
    fake.write_text(
        "#!/usr/bin/env bash\n"
        f'echo "$*" >> {calls}\n'
        f"n=$(wc -l < {calls})\n"
        + (f"echo '{error}' >&2; exit 100\n" if error else "")
        + f"if [ \"$n\" -le {locked_times} ]; then printf '%s\\n' '{locked}' >&2; exit 100; fi\n"
        "echo 'Reading package lists...'\n"
    )
    fake.chmod(0o755)
    script = f". {ROOT / 'scripts/apt.sh'}; apt_get {' '.join(args)}"
    env = {
        **os.environ,
        "PATH": f"{fake.parent}:{os.environ['PATH']}",
        "APT_LOCK_RETRY": "0",
        "APT_LOCK_WAIT": str(wait),
    }
    result = subprocess.run(
        ["bash", "-c", script], env=env, capture_output=True, text=True, timeout=60
    )
    return result, calls.read_text().splitlines() if calls.exists() else []


def test_update_and_install_wait_for_the_lock_with_a_message(tmp_path):
    result, calls = apt_get(tmp_path, "update", "-qq", locked_times=3)
    assert result.returncode == 0, result.stderr
    assert len(calls) == 4
    assert result.stdout.count("Waiting for another package manager") == 1
    assert "It is held by process 4242 (unattended-upgr)" in result.stdout
    # apt-get itself also waits for the dpkg lock a little each time.
    assert all(re.match(r"-o DPkg::Lock::Timeout=\d+ update -qq$", call) for call in calls)


def test_install_waits_for_the_dpkg_lock_with_a_message(tmp_path):
    result, calls = apt_get(
        tmp_path, "install", "-y", "-qq", "chromium", locked_times=2, locked=DPKG_LOCKED
    )
    assert result.returncode == 0, result.stderr
    assert len(calls) == 3
    assert "Waiting for another package manager" in result.stdout
    assert "/var/lib/dpkg/lock-frontend" in result.stdout


def test_another_failure_is_shown_at_once_not_retried(tmp_path):
    result, calls = apt_get(
        tmp_path, "install", "-y", "no-such-package", error="E: Unable to locate package"
    )
    assert result.returncode == 100
    assert len(calls) == 1
    assert "Unable to locate package" in result.stderr
    assert "Waiting" not in result.stdout


def test_a_lock_held_for_too_long_fails_naming_it(tmp_path):
    result, calls = apt_get(tmp_path, "update", locked_times=10**6, wait=0)
    assert result.returncode == 100
    assert "Gave up after 0 s" in result.stderr
    assert "/var/lib/apt/lists/lock" in result.stderr


def test_bootstrap_runs_every_apt_get_through_the_waiting_helper():
    lines = (ROOT / "scripts/bootstrap.sh").read_text().splitlines()
    commands = [line for line in lines if not line.lstrip().startswith("#")]
    # apt-get run as a command (the sudo line it prints for a non-root user is only words).
    assert not [line for line in commands if re.match(r"\s*(\w+=\S*\s+)*apt-get\s", line)]
    assert any("apt_get update" in line for line in commands)
    assert any("apt_get install" in line for line in commands)
