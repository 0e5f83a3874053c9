"""Downloads, offline: a local HTTP server on 127.0.0.1 plays the mirrors (good, corrupt, cut short, down)."""
import dataclasses
import gzip
import hashlib
import http.server
import socket
import threading
import time

import numpy as np
import pytest

from autograd_lite.data import DatasetNotFoundError, DownloadError, datasets, download_file, mnist

GOOD = b"the file's bytes " * 100
GOOD_SHA256 = hashlib.sha256(GOOD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.requests.append(self.path)
        kind, body = self.server.routes.get(self.path, ("missing", b""))
        if kind == "missing":
            self.send_error(404)
            return
        if kind == "redirect":  # body: where to
            self.send_response(302)
            self.send_header("Location", body.decode())
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        if kind != "endless":
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if kind == "drip":  # one byte every 50 ms: each read is quick, the whole transfer is not
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.05)
                return
            while kind == "endless":  # no length, and the body never ends
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
            return
        # "cut" announces the whole length, sends half, and hangs up (HTTP/1.0 closes after the response).
        self.wfile.write(body[:len(body) // 2] if kind == "cut" else body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    """``server.routes[path] = (kind, body)``, kind one of ok, cut, drip, endless, redirect; ``server.url(path)``."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.routes, httpd.requests = {}, []
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.fixture
def down_url():
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/file.gz"


def test_a_good_file_is_written_and_nothing_else(server, tmp_path):
    server.routes["/file.gz"] = ("ok", GOOD)
    path = download_file([server.url("/file.gz")], tmp_path / "cache" / "file.gz", sha256=GOOD_SHA256)
    assert path == tmp_path / "cache" / "file.gz" and path.read_bytes() == GOOD
    assert [p.name for p in path.parent.iterdir()] == ["file.gz"]


def test_a_corrupt_file_is_discarded_and_the_error_names_the_url_and_both_checksums(server, tmp_path):
    server.routes["/file.gz"] = ("ok", GOOD + b"!")
    with pytest.raises(DownloadError) as error:
        download_file([server.url("/file.gz")], tmp_path / "cache" / "file.gz", sha256=GOOD_SHA256)
    assert f"{server.url('/file.gz')}: SHA-256 mismatch: expected {GOOD_SHA256}" in str(error.value)
    assert not (tmp_path / "cache").exists()


def test_a_transfer_cut_short_is_discarded(server, tmp_path):
    server.routes["/file.gz"] = ("cut", GOOD)
    with pytest.raises(DownloadError, match=f"transfer cut short: got {len(GOOD) // 2} of {len(GOOD)} bytes"):
        download_file([server.url("/file.gz")], tmp_path / "file.gz", sha256=GOOD_SHA256)
    assert list(tmp_path.iterdir()) == []


def test_a_server_that_is_down_is_reported_with_its_url(down_url, tmp_path):
    with pytest.raises(DownloadError) as error:
        download_file([down_url], tmp_path / "file.gz", sha256=GOOD_SHA256, timeout=5)
    assert error.value.attempts[0][0] == down_url and "refused" in error.value.attempts[0][1]
    assert list(tmp_path.iterdir()) == []


def test_mirrors_are_tried_in_order_until_one_gives_a_good_copy(server, down_url, tmp_path):
    server.routes.update({"/corrupt/file.gz": ("ok", b"junk"), "/cut/file.gz": ("cut", GOOD),
                          "/good/file.gz": ("ok", GOOD), "/unused/file.gz": ("ok", GOOD)})
    urls = [down_url] + [server.url(f"/{m}/file.gz") for m in ["missing", "corrupt", "cut", "good", "unused"]]
    download_file(urls, tmp_path / "file.gz", sha256=GOOD_SHA256)
    assert (tmp_path / "file.gz").read_bytes() == GOOD
    assert server.requests == ["/missing/file.gz", "/corrupt/file.gz", "/cut/file.gz", "/good/file.gz"]


def test_when_every_mirror_fails_each_url_and_reason_is_listed(server, down_url, tmp_path):
    urls = [down_url, server.url("/missing/file.gz")]
    with pytest.raises(DownloadError) as error:
        download_file(urls, tmp_path / "file.gz", sha256=GOOD_SHA256)
    assert [url for url, _ in error.value.attempts] == urls
    assert f"{urls[1]}: HTTP Error 404" in str(error.value)


def test_a_server_sending_a_byte_at_a_time_is_given_up_at_the_deadline(server, tmp_path):
    server.routes["/file.gz"] = ("drip", GOOD)  # 1,700 bytes at 20 bytes a second: 85 s
    started = time.monotonic()
    with pytest.raises(DownloadError, match=r"took longer than the deadline of 1 s \(got \d+ of 1700 bytes\)"):
        download_file([server.url("/file.gz")], tmp_path / "file.gz", sha256=GOOD_SHA256, timeout=5, deadline=1)
    assert time.monotonic() - started < 3
    assert list(tmp_path.iterdir()) == []


def test_a_body_longer_than_the_known_size_is_cut_off(server, tmp_path):
    server.routes["/file.gz"] = ("endless", b"x" * 65536)
    with pytest.raises(DownloadError, match=r"more than the 1700 bytes the file has arrived"):
        download_file([server.url("/file.gz")], tmp_path / "file.gz", sha256=GOOD_SHA256, size=len(GOOD))
    assert list(tmp_path.iterdir()) == []


def test_an_announced_length_other_than_the_known_size_is_refused_before_reading(server, tmp_path):
    server.routes["/file.gz"] = ("ok", GOOD + b"more")
    with pytest.raises(DownloadError, match=r"the server announces 1704 bytes; the file has 1700"):
        download_file([server.url("/file.gz")], tmp_path / "file.gz", sha256=GOOD_SHA256, size=len(GOOD))


def test_redirects_are_followed_only_to_http_and_https(server, tmp_path):
    server.routes.update({"/old.gz": ("redirect", server.url("/file.gz").encode()), "/file.gz": ("ok", GOOD),
                          "/ftp.gz": ("redirect", b"ftp://127.0.0.1/file.gz")})
    download_file([server.url("/old.gz")], tmp_path / "a.gz", sha256=GOOD_SHA256, size=len(GOOD))
    assert (tmp_path / "a.gz").read_bytes() == GOOD
    with pytest.raises(DownloadError, match=r"redirected to ftp://127\.0\.0\.1/file\.gz: only http:// and "
                                            r"https:// redirects are followed"):
        download_file([server.url("/ftp.gz")], tmp_path / "b.gz", sha256=GOOD_SHA256)


def test_md5_is_checked_where_only_md5_is_published(server, tmp_path):
    server.routes["/file.gz"] = ("ok", GOOD)
    download_file([server.url("/file.gz")], tmp_path / "a", md5=hashlib.md5(GOOD).hexdigest())
    with pytest.raises(DownloadError, match="MD5 mismatch"):
        download_file([server.url("/file.gz")], tmp_path / "b", md5="0" * 32)


def test_exactly_one_checksum_and_only_web_urls():
    with pytest.raises(TypeError, match="exactly one checksum"):
        download_file(["http://127.0.0.1/x"], "x")
    with pytest.raises(ValueError, match="only http:// and https:// URLs .* 'file:///etc/passwd'"):
        download_file(["file:///etc/passwd"], "x", sha256=GOOD_SHA256)
    with pytest.raises(TypeError, match="a list of URLs"):
        download_file("http://127.0.0.1/x", "x", sha256=GOOD_SHA256)


def test_the_progress_bar_goes_to_stderr_on_request_and_not_when_stderr_is_not_a_terminal(server, tmp_path, capsys):
    server.routes["/file.gz"] = ("ok", GOOD)
    download_file([server.url("/file.gz")], tmp_path / "a.gz", sha256=GOOD_SHA256, progress=True)
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("\ra.gz ") and "100% [==============================]" in err
    download_file([server.url("/file.gz")], tmp_path / "b.gz", sha256=GOOD_SHA256)  # captured stderr: no tty
    assert capsys.readouterr() == ("", "")


# -- mnist() downloading into the cache -----------------------------------------------------------------------

def _idx_gz(header_hex, values):
    return gzip.compress(bytes.fromhex(header_hex) + bytes(values), mtime=0)


IMAGES = _idx_gz("00000803 00000002 0000001c 0000001c", [i % 256 for i in range(2 * 784)])
LABELS = _idx_gz("00000801 00000002", [3, 9])


@pytest.fixture
def fake_mnist(server, tmp_path, monkeypatch):
    """mnist() pointed at the local server, with its checksums, and an empty home for the cache."""
    monkeypatch.delenv("AUTOGRAD_LITE_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    checksums = {"t10k-images-idx3-ubyte.gz": hashlib.sha256(IMAGES).hexdigest(),
                 "t10k-labels-idx1-ubyte.gz": hashlib.sha256(LABELS).hexdigest()}
    sizes = {"t10k-images-idx3-ubyte.gz": len(IMAGES), "t10k-labels-idx1-ubyte.gz": len(LABELS)}
    source = dataclasses.replace(datasets._MNIST, mirrors=(server.url("/a/"), server.url("/b/")),
                                 checksums=checksums, sizes=sizes)
    monkeypatch.setattr(datasets, "_MNIST", source)
    return tmp_path / ".cache" / "autograd_lite" / "mnist"


def test_mnist_downloads_a_missing_split_into_the_cache_once(server, fake_mnist):
    server.routes.update({"/b/t10k-images-idx3-ubyte.gz": ("ok", IMAGES),
                          "/b/t10k-labels-idx1-ubyte.gz": ("ok", LABELS)})
    x, y = mnist("test")
    assert x.shape == (2, 784) and y.tolist() == [3, 9]
    assert sorted(p.name for p in fake_mnist.iterdir()) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    requests = len(server.requests)
    np.testing.assert_array_equal(mnist("test")[0], x)
    assert len(server.requests) == requests == 4  # each file: mirror a (404), then mirror b


def test_a_failed_download_leaves_nothing_and_says_how_to_place_the_files_by_hand(server, fake_mnist):
    server.routes.update({"/a/t10k-images-idx3-ubyte.gz": ("cut", IMAGES),
                          "/b/t10k-images-idx3-ubyte.gz": ("ok", IMAGES[:-1] + b"x")})
    with pytest.raises(DatasetNotFoundError) as error:
        mnist("test")
    message = str(error.value)
    assert "Downloading failed; tried:" in message
    assert f"  {server.url('/a/t10k-images-idx3-ubyte.gz')}: transfer cut short" in message
    assert f"  {server.url('/b/t10k-images-idx3-ubyte.gz')}: SHA-256 mismatch" in message
    assert "To place the files by hand: download t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz" in message
    assert isinstance(error.value.__cause__, DownloadError)
    assert not fake_mnist.exists()


def test_download_false_never_contacts_a_mirror(server, fake_mnist):
    with pytest.raises(DatasetNotFoundError, match="Not downloaded: download=False"):
        mnist("test", download=False)
    assert server.requests == []


def test_mnist_downloads_are_held_to_the_published_file_sizes(server, fake_mnist):
    server.routes.update({"/a/t10k-images-idx3-ubyte.gz": ("ok", IMAGES + b"padding"),
                          "/b/t10k-images-idx3-ubyte.gz": ("endless", IMAGES)})
    with pytest.raises(DatasetNotFoundError) as error:
        mnist("test")
    message = str(error.value)
    assert f"the server announces {len(IMAGES) + 7} bytes; the file has {len(IMAGES)}" in message
    assert f"more than the {len(IMAGES)} bytes the file has arrived" in message
