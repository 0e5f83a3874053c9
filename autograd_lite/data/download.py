"""Fetch one file from a list of mirrors: verify its SHA-256, show progress on a terminal, write it atomically."""
from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO, Sequence

from ..atomic import atomic_write

__all__ = ["download_file", "DownloadError"]

_CHUNK = 1 << 16
_SCHEMES = ("http", "https")
_NAMES = {"sha256": "SHA-256", "md5": "MD5"}


class DownloadError(OSError):
    """No mirror gave a good copy of a file. ``attempts`` lists ``(url, reason)`` in the order tried."""

    def __init__(self, path: Path, attempts: list[tuple[str, str]]) -> None:
        self.path = path
        self.attempts = attempts
        tried = "\n".join(f"  {url}: {reason}" for url, reason in attempts)
        super().__init__(f"could not download {path.name}; tried:\n{tried}")


class _BadTransfer(Exception):
    """The server answered, but what arrived is not the file (cut short, or the wrong bytes)."""


class _ProgressBar:
    """``name  42% [========>           ]  4.2/9.9 MB`` redrawn in place on one line."""

    def __init__(self, name: str, total: int | None, stream: IO[str]) -> None:
        self.name, self.total, self.stream = name, total, stream
        self.shown = None

    def update(self, done: int) -> None:
        if self.total:
            percent = min(100, done * 100 // self.total)
            if percent == self.shown:  # redraw only when the figure changes, not on every 64 KiB chunk
                return
            filled = percent * 30 // 100
            bar = "=" * filled + (">" if filled < 30 else "") + " " * (29 - filled)
            text = f"{self.name} {percent:3d}% [{bar}] {done / 1e6:.1f}/{self.total / 1e6:.1f} MB"
            self.shown = percent
        else:
            text = f"{self.name} {done / 1e6:.1f} MB"
        self.stream.write("\r" + text)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def download_file(urls: Sequence[str], path: str | os.PathLike, sha256: str | None = None, *,
                  md5: str | None = None, size: int | None = None, progress: bool | None = None,
                  timeout: float = 30.0, deadline: float | None = 600.0) -> Path:
    """Download to ``path`` from the first of ``urls`` that gives a file with this checksum; return ``path``.

    Give the file's ``sha256``, or its ``md5`` where that is all its authors
    publish (exactly one), and its ``size`` in bytes where known. Mirrors are
    tried in order. A copy that is cut short, too long or whose checksum
    differs is discarded and the next mirror tried; ``path`` appears only once
    a verified copy is complete (written to a temporary file, then renamed).
    If every mirror fails, :class:`DownloadError` lists each URL and why.
    ``progress=None`` shows a progress bar on stderr only when stderr is a
    terminal.

    Bounds, so that no server can keep a download going or fill the disk:
    ``timeout`` is the longest wait for a connection or for any data, and
    ``deadline`` the longest one mirror may take for the whole file (seconds;
    ``None``: no limit). With ``size``, a server announcing another length is
    refused before anything is read, and a body growing past it is cut off;
    without it, the announced length (if any) is the limit. Redirects are
    followed only to ``http://`` and ``https://``.

    >>> download_file(["https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz"],
    ...               "t10k-labels-idx1-ubyte.gz", size=4542,
    ...               sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6")
    PosixPath('t10k-labels-idx1-ubyte.gz')
    """
    path = Path(path)
    if isinstance(urls, str):
        raise TypeError("download_file: urls must be a list of URLs (mirrors), not one string")
    if not urls:
        raise ValueError("download_file: urls is empty; give at least one mirror")
    for url in urls:
        if urllib.parse.urlsplit(url).scheme not in _SCHEMES:
            raise ValueError(f"download_file: only http:// and https:// URLs are fetched; got {url!r}")
    if (sha256 is None) == (md5 is None):
        raise TypeError("download_file: give exactly one checksum, sha256= or md5=")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or size < 0):
        raise ValueError(f"download_file: size must be the file's length in bytes (an int >= 0); got {size!r}")
    if deadline is not None and not deadline > 0:
        raise ValueError(f"download_file: deadline must be a positive number of seconds, or None; got {deadline!r}")
    algorithm, expected = ("sha256", sha256) if sha256 is not None else ("md5", md5)
    if progress is None:
        progress = sys.stderr.isatty()
    folder_existed = path.parent.exists()
    attempts = []
    for url in urls:
        try:
            _fetch(url, path, algorithm, expected.lower(), size, progress, timeout, deadline)
            return path
        except (OSError, http.client.HTTPException, _BadTransfer) as error:
            attempts.append((url, str(error) or type(error).__name__))
    if not folder_existed:  # leave no empty cache folder behind either
        with contextlib.suppress(OSError):
            path.parent.rmdir()
    raise DownloadError(path, attempts)


class _WebRedirectsOnly(urllib.request.HTTPRedirectHandler):
    """urllib follows redirects to ``ftp://`` too; a mirror may send us only to another web address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        if urllib.parse.urlsplit(newurl).scheme not in _SCHEMES:
            raise urllib.error.HTTPError(req.full_url, code, f"redirected to {newurl}: only http:// and https:// "
                                                             f"redirects are followed", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_WebRedirectsOnly)


def _fetch(url: str, path: Path, algorithm: str, expected: str, size: int | None, progress: bool,
           timeout: float, deadline: float | None) -> None:
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": "autograd-lite"})
    wait = timeout if deadline is None else min(timeout, deadline)
    with _OPENER.open(request, timeout=wait) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        if size is not None and total is not None and total != size:
            raise _BadTransfer(f"the server announces {total} bytes; the file has {size}")
        limit = size if size is not None else total
        with atomic_write(path, "wb") as out:
            bar = _ProgressBar(path.name, limit, sys.stderr) if progress else None
            digest, done = hashlib.new(algorithm, usedforsecurity=False), 0
            try:
                # read1: whatever has arrived, so the deadline is checked however slowly bytes trickle in
                while chunk := response.read1(_CHUNK):
                    done += len(chunk)
                    if limit is not None and done > limit:
                        raise _BadTransfer(f"more than the {limit} bytes the file has arrived; the copy was discarded")
                    if deadline is not None and time.monotonic() - started > deadline:
                        raise _BadTransfer(f"took longer than the deadline of {deadline:g} s "
                                           f"(got {done} of {limit if limit is not None else '?'} bytes)")
                    out.write(chunk)
                    digest.update(chunk)
                    if bar:
                        bar.update(done)
            finally:
                if bar:
                    bar.close()
            # http.client returns a short body without complaint when the connection drops, so count the bytes.
            if limit is not None and done < limit:
                raise _BadTransfer(f"transfer cut short: got {done} of {limit} bytes")
            if digest.hexdigest() != expected:
                raise _BadTransfer(f"{_NAMES[algorithm]} mismatch: expected {expected}, got {digest.hexdigest()} "
                                   f"({done} bytes); the copy was discarded")
