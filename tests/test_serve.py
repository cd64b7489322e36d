"""`journal serve`: a real server process, rebuilt when entries and runs change."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, text: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if text in last:
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared at {url}")


@pytest.fixture
def server(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst words\n")
    project.run_file("a-1", "metrics.csv", "step,val_acc\n1,0.5\n")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mljournal", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project.root, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_serve_rebuilds_on_a_new_metrics_row_and_an_edited_entry(project, server):
    page = wait_for(server + "models/a-1/", "first words")
    assert "0.5000" in page
    with open(project.runs / "a-1" / "metrics.csv", "a") as metrics:  # a training run appends
        metrics.write("2,0.875\n")
    wait_for(server + "models/a-1/", "0.8750")
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nsecond thoughts\n")
    wait_for(server + "timeline/2026-10/", "second thoughts")


def test_edits_during_a_rebuild_end_with_the_latest_edit_served(project, server):
    wait_for(server + "models/a-1/", "first words")
    for n in range(6):  # saves 0.07 s apart: most land while the previous save is being built
        project.entry("2026-10-01-a-1.md", f"---\ndate: 2026-10-01\nmodel: a-1\n---\nversion {n}\n")
        time.sleep(0.07)
    wait_for(server + "models/a-1/", "version 5")
    time.sleep(1.5)
    assert "version 5" in fetch(server + "models/a-1/") and "version 5" in fetch(server + "timeline/2026-10/")


@pytest.mark.parametrize("path", ["%00", "models/%00/", "a%00b.png", "%2e%2e/%2e%2e/etc/passwd"])
def test_serve_answers_a_hostile_path_with_the_not_found_page(server, path):
    wait_for(server + "models/a-1/", "first words")
    with pytest.raises(urllib.error.HTTPError) as error:
        fetch(server + path)
    assert error.value.code == 404
    assert "404" in error.value.read().decode()


def test_serve_binds_to_loopback_port_8000_by_default(project):
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", 8000)) == 0:
            pytest.skip("port 8000 is taken on this machine")
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nhello\n")
    process = subprocess.Popen([sys.executable, "-m", "mljournal", "serve"], cwd=project.root,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        wait_for("http://127.0.0.1:8000/models/a-1/", "hello")
        address = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
        for other in [a for a in address if not a.startswith("127.") and ":" not in a]:
            with socket.socket() as probe:
                probe.settimeout(2)
                assert probe.connect_ex((other, 8000)) != 0, f"serving on {other}"
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=15)


def test_serve_builds_once_per_save_and_not_on_its_own_reads(project):
    """File events of reading (the build's own) must not start builds: no loop."""
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst words\n")
    port = free_port()
    log = project.root / "serve.log"
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mljournal", "serve", "-a", f"127.0.0.1:{port}"],
                                   cwd=project.root, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(f"http://127.0.0.1:{port}/models/a-1/", "first words")
            time.sleep(2)  # idle, but the first page fetches and the build read files
            assert "Detected file changes" not in log.read_text()
            project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nsecond thoughts\n")
            wait_for(f"http://127.0.0.1:{port}/models/a-1/", "second thoughts")
            time.sleep(2)
            assert log.read_text().count("Detected file changes") == 1
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)


def test_serve_with_zensical_previews_the_journal_and_shows_an_edit_within_seconds(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst words\n")
    project.run_file("a-1", "metrics.csv", "step,val_acc\n1,0.5\n")
    port = free_port()
    log = project.root / "serve.log"
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mljournal", "serve", "--engine", "zensical",
                                    "-a", f"127.0.0.1:{port}"], cwd=project.root, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        try:
            page = wait_for(f"http://127.0.0.1:{port}/models/a-1/", "first words")
            assert "0.5000" in page
            project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nsecond thoughts\n")
            start = time.monotonic()
            wait_for(f"http://127.0.0.1:{port}/models/a-1/", "second thoughts", seconds=10)
            assert time.monotonic() - start < 5, log.read_text()
            wait_for(f"http://127.0.0.1:{port}/timeline/2026-10/", "second thoughts", seconds=5)
        finally:
            os.killpg(process.pid, signal.SIGINT)
            process.wait(timeout=15)
    assert process.returncode == 0, log.read_text()
    assert "Traceback" not in log.read_text()


def test_serve_with_zensical_stops_its_zensical_server_on_sigterm(project):
    """`kill` (a service manager) stops the preview as Ctrl-C does: no Zensical server is
    left behind holding the port."""
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst words\n")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "mljournal", "serve", "--engine", "zensical",
                                "-a", f"127.0.0.1:{port}"], cwd=project.root, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        wait_for(f"http://127.0.0.1:{port}/models/a-1/", "first words")
        process.send_signal(signal.SIGTERM)  # to the journal only, not its group
        assert process.wait(timeout=15) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) != 0:
                    break
            time.sleep(0.2)
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "the zensical server still answers"
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_keeps_answering_while_mkdocs_yml_is_broken_and_recovers_when_fixed(project):
    """A broken mkdocs.yml (invalid YAML, then a bad option) is said in one line, as
    `journal build` says it; every request is answered from the last good site meanwhile."""
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst words\n")
    good = (project.root / "mkdocs.yml").read_text()
    port = free_port()
    url = f"http://127.0.0.1:{port}/models/a-1/"
    log = project.root / "serve.log"
    with open(log, "w") as output:
        process = subprocess.Popen([sys.executable, "-m", "mljournal", "serve", "-a", f"127.0.0.1:{port}"],
                                   cwd=project.root, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(url, "first words")
            project.config(good + "nav: [unclosed\n")
            deadline = time.monotonic() + 20
            while "still serving" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "first words" in fetch(url)  # answered at once (fetch gives up after 5 s)
            assert "models/a-1/" in fetch(f"http://127.0.0.1:{port}/")
            project.config(good + "theme:\n  name: no-such-theme\n")
            deadline = time.monotonic() + 20
            while log.read_text().count("still serving") < 2 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert "first words" in fetch(url)
            project.config(good)
            project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nsecond thoughts\n")
            wait_for(url, "second thoughts", seconds=30)
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=15)
    said = log.read_text()
    assert "Traceback" not in said
    assert [line for line in said.splitlines() if "still serving" in line] == [
        "error: mkdocs.yml:15: not valid YAML: expected ',' or ']', but got '<stream end>'; still serving the last good site",
        "error: mkdocs.yml: the configuration has errors (see above); still serving the last good site",
    ], said
    assert "error: Config value 'theme': Unrecognised theme name: 'no-such-theme'." in said, said


def test_a_taken_port_is_said_before_any_build_and_a_bad_address_is_an_input_error(project):
    project.entry("2026-10-01-a-1.md", "---\ndate: 2026-10-01\nmodel: a-1\n---\nfirst words\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "mljournal", "serve", "-a", f"127.0.0.1:{port}"],
                              cwd=project.root, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == (f"error: 127.0.0.1:{port} is taken: another server (another `journal serve`?) listens "
                           f"there; stop it, or choose another port with -a 127.0.0.1:{port + 1}\n")
    for address, said in (("localhost:99999", "write HOST:PORT with a port from 1 to 65535, like 127.0.0.1:8000"),
                          ("8000", "write HOST:PORT with a port from 1 to 65535, like 127.0.0.1:8000"),
                          ("no-such-host.invalid:8000", "no such host")):
        done = subprocess.run([sys.executable, "-m", "mljournal", "serve", "-a", address], cwd=project.root,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 2, done.stderr
        assert f"Error: -a {address}: {said}" in done.stderr, done.stderr
