"""The service under load (`jianfu bench --service`): screenings per second, p50 and p99 latency and errors over
loopback, against `jianfu serve` with N uvicorn workers on SQLite holding the sample register.

The load comes from a separate process: `clients` keep-alive HTTP/1.1 connections, each sending the next screening
as soon as the previous answer arrived (closed loop), for `seconds` after a warm-up that is not counted. The client
speaks HTTP with asyncio streams directly: on a 2-core machine the load generator shares the cores with the
service, and a lean client leaves more of them to the thing being measured. Every screening is a real one: bearer
token checked, body parsed against the contract, decided against the register in SQLite and written to the
decision log before the answer is sent.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jianfu import shipped



def _bodies(count: int = 500) -> list[bytes]:
    """Screenings of the sample's kinds, ids and dates varied (the office's everyday mix)."""
    import yaml

    sample = yaml.safe_load((shipped("examples") / "requests.yaml").read_text(encoding="utf-8"))
    out = []
    for i in range(count):
        request = dict(sample[i % len(sample)])
        request["id"] = f"BENCH-{i}"
        month = 4 + i % 9  # the Jingdezhen pack is in force from 2019-03-19
        request["date"] = f"2019-{month:02d}-{10 + i % 15:02d}"
        out.append(json.dumps(request, ensure_ascii=False).encode("utf-8"))
    return out


async def _client(host: str, port: int, token: str, bodies: list[bytes], start: int, warm_until: float, stop_at: float, latencies: list, errors: list) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    i = start
    try:
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return
            body = bodies[i % len(bodies)]
            i += 1
            head = (
                f"POST /api/v1/screenings HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode()
            began = time.perf_counter()
            writer.write(head + body)
            status_line = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            payload = await reader.readexactly(length)
            took = time.perf_counter() - began
            if began < warm_until:
                continue
            ok = status_line.split(b" ", 2)[1:2] == [b"200"] and payload.startswith(b'[{"id":"BENCH-')
            (latencies if ok else errors).append(took if ok else status_line.decode(errors="replace").strip())
    except (ConnectionError, asyncio.IncompleteReadError) as exc:
        errors.append(f"connection: {exc}")
    finally:
        writer.close()


def _drive(url: str, token: str, clients: int, warmup: float, seconds: float, queue) -> None:
    """The load generator (its own process)."""
    host, port = url.split("//", 1)[1].split(":")
    bodies = _bodies()
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> float:
        began = time.perf_counter()
        warm_until, stop_at = began + warmup, began + warmup + seconds
        await asyncio.gather(*(_client(host, int(port), token, bodies, k * 37, warm_until, stop_at, latencies, errors) for k in range(clients)))
        return time.perf_counter() - warm_until

    elapsed = asyncio.run(main())
    queue.put({"latencies": latencies, "errors": errors[:20], "error_count": len(errors), "elapsed": elapsed})


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(seconds: float = 60.0, workers: int = 2, clients: int = 8, warmup: float = 5.0, db: str | None = None) -> dict:
    from jianfu.adapters.files.read import read_register
    from jianfu.adapters.service.auth import UsersFile
    from jianfu.adapters.storage import open_store

    with tempfile.TemporaryDirectory(prefix="jianfu-bench-service-") as tmp:
        folder = Path(tmp)
        db = db or f"sqlite:///{folder / 'register.sqlite3'}"
        store = open_store(db)
        if store.counts()["records"] == 0:  # an empty register gets the sample; a given one is used as it is
            store.import_register(read_register(shipped("examples") / "register.yaml"), source="import:register.yaml")
        store.close()
        token = UsersFile(folder / "users.yaml").add("基准测试", "office")
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = open(folder / "service.log", "wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "jianfu", "serve", "--port", str(port), "--db", db, "--users", str(folder / "users.yaml"), "--workers", str(workers)],
            stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            _wait(url, server, folder)
            context = multiprocessing.get_context("spawn")
            queue = context.Queue()
            driver = context.Process(target=_drive, args=(url, token, clients, warmup, seconds, queue))
            driver.start()
            result = queue.get(timeout=seconds + warmup + 120)
            driver.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    latencies = sorted(result["latencies"])
    count = len(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(count - 1, int(p * count))] * 1000, 2) if count else float("nan")

    return {
        "workers": workers,
        "clients": clients,
        "seconds": round(result["elapsed"], 1),
        "screenings": count,
        "screenings_per_s": round(count / result["elapsed"], 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 2) if count else None,
        "errors": result["error_count"],
        "error_samples": result["errors"],
        "cpus": os.cpu_count(),
        "database": "sqlite" if db.startswith("sqlite") else db.split("://", 1)[0],
    }


def _wait(url: str, server: subprocess.Popen, folder: Path) -> None:
    import httpx

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError((folder / "service.log").read_text(errors="replace"))
        try:
            if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the service did not start within 90 s")
