"""atomic_write: all or nothing, with the permissions a plain open() would give, through symlinks, no litter."""
import os
import signal
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from autograd_lite.atomic import atomic_write

ROOT = Path(__file__).resolve().parents[1]
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions, umask and signals")


def mode_of(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@posix_only
def test_a_new_file_gets_the_umask_mode_and_the_umask_is_never_changed(tmp_path, monkeypatch):
    # Another thread's files came out 0o666 while a save had set the process-wide umask to 0.
    def no_umask(_):
        raise AssertionError("atomic_write must not touch the process-wide umask")

    old = os.umask(0o027)
    try:
        monkeypatch.setattr(os, "umask", no_umask)
        with atomic_write(tmp_path / "new.bin") as f:
            f.write(b"x")
    finally:
        monkeypatch.undo()
        os.umask(old)
    assert mode_of(tmp_path / "new.bin") == 0o640


@posix_only
def test_an_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "ck.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o600)
    with atomic_write(path) as f:
        f.write(b"new")
    assert path.read_bytes() == b"new" and mode_of(path) == 0o600


@posix_only
def test_a_read_only_file_is_refused_even_for_root_and_left_as_it_was(tmp_path):
    path = tmp_path / "ck.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o444)
    with pytest.raises(PermissionError, match=f"cannot write {path}: it is read-only \\(mode 0o444\\)"):
        with atomic_write(path) as f:
            f.write(b"new")
    assert path.read_bytes() == b"old" and mode_of(path) == 0o444
    assert os.listdir(tmp_path) == ["ck.npz"]


@posix_only
def test_a_symlink_is_written_through_to_its_target(tmp_path):
    target = tmp_path / "real" / "ck.npz"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    with atomic_write(link) as f:
        f.write(b"new")
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(target.parent)) == ["ck.npz"]


@posix_only
def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "latest.npz"
    link.symlink_to(tmp_path / "ck.npz")
    with atomic_write(link) as f:
        f.write(b"new")
    assert link.is_symlink() and (tmp_path / "ck.npz").read_bytes() == b"new"


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(tmp_path):
    path = tmp_path / "ck.npz"
    path.write_bytes(b"old")
    with pytest.raises(ZeroDivisionError):
        with atomic_write(path) as f:
            f.write(b"half")
            1 / 0
    assert path.read_bytes() == b"old" and os.listdir(tmp_path) == ["ck.npz"]


_KILLED_WRITER = """
import os, sys, time
from autograd_lite.atomic import atomic_write
with atomic_write(sys.argv[1]) as f:
    f.write(b"half a file")
    f.flush()
    print("writing", flush=True)
    time.sleep(60)
"""


@posix_only
def test_the_next_save_removes_what_a_killed_save_left(tmp_path):
    path = tmp_path / "ck.npz"
    for _ in range(3):  # three saves killed with SIGKILL in the middle of writing
        child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(path)], stdout=subprocess.PIPE,
                                 env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert child.stdout.readline() == b"writing\n"
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
    assert not path.exists() and len(os.listdir(tmp_path)) >= 1  # the killed saves' leftovers
    with atomic_write(path) as f:
        f.write(b"whole")
    assert os.listdir(tmp_path) == ["ck.npz"] and path.read_bytes() == b"whole"


@posix_only
def test_concurrent_saves_to_one_path_each_leave_a_whole_file(tmp_path):
    path = tmp_path / "ck.npz"
    errors = []

    def save(k):
        try:
            for _ in range(20):
                with atomic_write(path) as f:
                    f.write(bytes([k]) * 10_000)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=save, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    content = path.read_bytes()
    assert len(content) == 10_000 and len(set(content)) == 1
    assert os.listdir(tmp_path) == ["ck.npz"]
