"""`postsearch serve` holds a burst of clients and fails cleanly on a port in use (issue #10).

The server runs as the real command (`python -m postsearch serve`) on 127.0.0.1 with port 0,
and the clients are raw sockets, so what is tested is what a user runs and what a browser
sees. No timing: every client must get its bytes, and (on Linux) the kernel must have
dropped none of their packets, which a listen backlog of 5 does under a burst (the client
resends its SYN a second later, or the connection is reset).
"""

from __future__ import annotations

import re
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

CLIENTS = 200
TCP_INFO_TOTAL_RETRANS = 100  # offset of tcpi_total_retrans (u32) in Linux's struct tcp_info


@pytest.fixture
def served(example_index: Path) -> Iterator[int]:
    """`postsearch serve` on the example index, on a free port: yields the port it printed."""
    command = [sys.executable, "-m", "postsearch", "serve", str(example_index), "--port", "0"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/demo\.html", line)
        assert found, f"no address printed: {line!r}"
        yield int(found[1])
    finally:
        server.terminate()
        server.wait(timeout=60)


def fetch(port: int, path: str) -> tuple[bytes, bytes, int | None]:
    """GET over a raw socket: the status line, the body, and how many segments the kernel
    had to send again for this connection (None where TCP_INFO is not available)."""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as sock:
        sock.sendall(f"GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        retransmitted = None
        if sys.platform == "linux" and hasattr(socket, "TCP_INFO"):
            info = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, TCP_INFO_TOTAL_RETRANS + 4)
            retransmitted = struct.unpack_from("I", info, TCP_INFO_TOTAL_RETRANS)[0]
    head, _, body = data.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body, retransmitted


def test_serve_answers_200_clients_at_once(served: int, example_index: Path) -> None:
    """200 connections opened at the same moment all get manifest.json, none dropped."""
    expected = (example_index / "manifest.json").read_bytes()
    start = threading.Barrier(CLIENTS)
    answers: list[tuple[bytes, bytes, int | None] | BaseException | None] = [None] * CLIENTS

    def client(k: int) -> None:
        start.wait()
        try:
            answers[k] = fetch(served, "/manifest.json")
        except BaseException as error:  # reported below, with the others
            answers[k] = error

    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failed = [a for a in answers if not isinstance(a, tuple)]
    assert not failed, f"{len(failed)} of {CLIENTS} clients failed: {sorted({repr(f) for f in failed})[:5]}"
    got = [a for a in answers if isinstance(a, tuple)]
    assert [status for status, _, _ in got] == [b"HTTP/1.0 200 OK"] * CLIENTS
    assert all(body == expected for _, body, _ in got)
    resent = [n for _, _, n in got if n]
    assert not resent, f"{len(resent)} connections needed retransmissions: the listen queue overflowed"


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(example_index: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run(
            [sys.executable, "-m", "postsearch", "serve", str(example_index), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert run.returncode == 2, run
    assert run.stdout == ""
    lines = run.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), run.stderr
    assert str(port) in lines[0] and "Traceback" not in run.stderr
