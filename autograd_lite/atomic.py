"""Write a file completely or not at all: write to a temporary file beside it, then rename.

The replacement behaves like a plain ``open(path, "wb")`` in what users
notice: a new file gets the mode the umask gives, an existing one keeps its
mode, a read-only file is refused, and a symlink is written through to its
target (as ``torch.save`` does) instead of being replaced by a regular file.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from typing import IO, Iterator

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None

__all__ = ["atomic_write"]

_NEW_FILE_MODE = 0o666  # what open() asks for; the kernel takes the umask off


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path``, on error it is removed.

    A reader never sees a half-written file, and a failed write leaves an
    existing file as it was. The temporary file is ``<path>.part``, held under
    an exclusive lock while it is written, so concurrent saves to one path take
    turns, and a save killed half-way leaves a ``.part`` file that the next
    save to the same path reuses: killed saves never pile up.

    Permissions are those a plain ``open(path, "wb")`` would give: a new file
    gets ``0o666`` less the umask, an existing file keeps its permission bits
    (and, where the system allows, its owner and group). A file this process
    may not write raises :class:`PermissionError`, and so does a file with no
    write permission bit at all (chmod 444), even for root, whom the system
    would let through: a read-only checkpoint is one somebody meant to keep.

    >>> with atomic_write("model.npz") as f:
    ...     np.savez_compressed(f, **arrays)
    """
    path = os.fspath(path)
    target = os.path.realpath(path)  # through symlinks, as open() writes
    directory = os.path.dirname(target)
    os.makedirs(directory, exist_ok=True)
    existing = _writable_stat(path, target)
    fd, tmp = _open_temporary(target)
    try:
        f = os.fdopen(fd, mode)
    except BaseException:
        os.remove(tmp)
        os.close(fd)
        raise
    with f:  # closing it releases the lock, so the rename or the removal happens inside
        try:
            if existing is not None:
                _copy_permissions(f.fileno(), existing)
            yield f
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.remove(tmp)
            raise


def _writable_stat(path: str, target: str) -> os.stat_result | None:
    """The target's stat if it exists (None if not), after refusing a target a plain write would not change."""
    try:
        existing = os.stat(target)
    except FileNotFoundError:
        return None
    permissions = stat.S_IMODE(existing.st_mode)
    if not permissions & 0o222:
        raise PermissionError(errno.EACCES, f"cannot write {path}: it is read-only (mode 0o{permissions:03o}); "
                                            f"make it writable (chmod u+w) or save under another name", path)
    effective = os.access in os.supports_effective_ids
    if not os.access(target, os.W_OK, effective_ids=effective):
        raise PermissionError(errno.EACCES, f"cannot write {path}: permission denied (mode 0o{permissions:03o}, "
                                            f"owner uid {existing.st_uid})", path)
    return existing


def _open_temporary(target: str) -> tuple[int, str]:
    """A new, empty ``<target>.part`` with the umask's mode, opened for writing and exclusively locked.

    Whoever holds the lock on the file now at that name owns it. A ``.part``
    file found there is either being written (its lock is held: wait for that
    save to rename or remove it) or was left by a killed save (the lock is
    free): it is removed and a fresh one created, so the new file gets the
    mode the umask gives now. Without flock (Windows) each save gets its own
    random name instead, and a killed save's file stays.
    """
    if fcntl is None:
        prefix = os.path.basename(target) + "."
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".part", dir=os.path.dirname(target))
        return fd, tmp
    tmp = target + ".part"
    while True:
        created = True
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _NEW_FILE_MODE)
        except FileExistsError:
            created = False
            try:
                fd = os.open(tmp, os.O_RDONLY | os.O_CLOEXEC)  # read-only is enough to lock it
            except FileNotFoundError:
                continue  # renamed or removed meanwhile: try creating it again
        except PermissionError as error:
            raise PermissionError(error.errno, f"cannot write {target}: its folder does not let this process "
                                               f"create the temporary file {tmp} ({error.strerror})", tmp) from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        if created and _is_at(fd, tmp):
            return fd, tmp
        if _is_at(fd, tmp):
            # a killed save's leftover, or a file whose creator has not locked it yet (it will see that
            # the name no longer points at its file, and start again)
            os.remove(tmp)
        os.close(fd)


def _is_at(fd: int, name: str) -> bool:
    """Whether ``name`` still names the file open as ``fd`` (not renamed, removed or replaced since)."""
    try:
        return os.path.samestat(os.fstat(fd), os.stat(name))
    except FileNotFoundError:
        return False


def _copy_permissions(fd: int, existing: os.stat_result) -> None:
    """Give the replacement the old file's permission bits and, where allowed, its owner and group."""
    if os.name != "posix":
        return  # Windows keeps no permission bits beyond read-only, which _writable_stat has checked
    if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(PermissionError):  # only root may give a file away; the bits still apply
            os.fchown(fd, existing.st_uid, existing.st_gid)
    os.chmod(fd, stat.S_IMODE(existing.st_mode))
