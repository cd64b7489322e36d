"""`journal serve`: a live preview by the project's engine, updated as entries and runs change."""

from __future__ import annotations

import errno
import socket
from pathlib import Path

from mljournal.engines import get_engine
from mljournal.errors import InputError, JournalError
from mljournal.project import load_project

DEFAULT_ADDRESS = "127.0.0.1:8000"


def serve_site(config_file: Path, dev_addr: str = DEFAULT_ADDRESS, open_in_browser: bool = False,
               engine: str | None = None) -> None:
    check_address(dev_addr)  # before the first build, which may take a while
    project = load_project(config_file)  # fail early, with our message, on a bad config
    get_engine(engine or project.settings.engine).serve(project, dev_addr, open_in_browser)


def check_address(dev_addr: str) -> tuple[str, int]:
    """(host, port) of HOST:PORT, once it is known that a server can listen there: a port
    out of range or a host this machine does not have is an InputError, a taken port a
    JournalError that says how to choose another."""
    host, colon, port_text = dev_addr.rpartition(":")
    host = host.strip("[]")
    if not colon or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError(f"-a {dev_addr}: write HOST:PORT with a port from 1 to 65535, like {DEFAULT_ADDRESS}")
    port = int(port_text)
    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        raise InputError(f"-a {dev_addr}: no such host ({error})") from None
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself binds
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                other = f"{host}:{port + 1 if port < 65535 else 8000}"
                raise JournalError(f"{host}:{port} is taken: another server (another `journal serve`?) listens "
                                   f"there; stop it, or choose another port with -a {other}") from None
            if error.errno == errno.EACCES:
                raise JournalError(f"{host}:{port}: this user may not listen on ports below 1024; "
                                   f"choose another with -a {host}:8000") from None
            raise InputError(f"-a {dev_addr}: cannot listen there ({error.strerror})") from None
    return host, port
