#!/usr/bin/env python3
"""A bounded soak of PreforkHttpd: every kind of traffic at once, and workers killed with SIGKILL.

Mixes, for --minutes (default 10):
  close       one well-formed request per connection (the server's churn is on)
  keepalive   persistent connections, several requests each (--keep-alive)
  slowloris   clients that trickle a request a byte at a time, and some that never finish
  vanish      clients that disconnect mid-request or mid-response
  malformed   requests the server must answer with a 4xx and a closed connection
  kill -9     of a random worker every --kill-every seconds

A well-formed request fails when its answer is missing, short, stalled (10 s), not a 200, for
another request, or followed by a second answer on the connection. A failure is put down
to a kill when a worker was killed while the request was in flight (the kernel gives no way to
know which process held that connection); those are counted apart and bounded by the kills.
Per minute it prints requests answered, failures, the parent's open descriptors and RSS, and the
live workers. RSS is sampled with the descriptors (every 0.2 s) and reported as the minute's mean
and highest sample: a garbage-collected heap breathes by a few MiB between collections, so one
sample per minute says more about where the collector was than about growth. The closing line says PASS or FAIL against the goals:
  0 failed well-formed requests outside kills; the kill-attributed ones at most
  --per-kill-bound x kills; parent RSS flat after the first minute (the highest later minute's mean at most 5 % above
  the first minute's mean); the idle
  parent's descriptors after the soak no more than before it (the per-minute column is the
  fewest seen in the minute, since in-flight connections come and go); every process gone
  after stop.

  bench/soak/soak.py [--minutes M] [--workers N] [--kill-every S] [--no-build]
"""
import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DLL = os.path.join(ROOT, "examples/PreforkHttpd/bin/Release/net10.0/PreforkHttpd.dll")
PID_ROW = re.compile(rb"<tr><td>PID</td><td>(\d+)</td></tr>")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = 0
        self.failed = 0
        self.failed_in_kill = 0
        self.rejected_4xx = 0
        self.examples = []
        self.kills = []  # (time, pid)

    def add(self, field, n=1):
        with self.lock:
            setattr(self, field, getattr(self, field) + n)

    def fail(self, started, ended, why):
        with self.lock:
            if any(started - 0.05 <= t <= ended + 0.05 for t, _ in self.kills):
                self.failed_in_kill += 1
            else:
                self.failed += 1
                if len(self.examples) < 10:
                    self.examples.append(why)


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                kids.append(int(entry))
        except (OSError, IndexError, ValueError):
            pass
    return kids


def tree(pid):
    seen, todo = [], [pid]
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(children_of(p))
    return seen


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_kinds(pid):
    """How many of each kind of descriptor (socket, pipe, anon_inode:[pidfd], a file path) the process holds."""
    kinds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kind = re.sub(r":\[\d+\]$", "", target)
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def read_answer(sock, deadline):
    """Reads one response framed by Content-Length; returns (status, body, leftover) or raises."""
    data = b""
    while b"\r\n\r\n" not in data:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the head (%d bytes)" % len(data))
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    status = int(head.split(b" ", 2)[1])
    m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
    length = int(m.group(1)) if m else 0
    while len(rest) < length:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("short body (%d of %d bytes)" % (len(rest), length))
        rest += chunk
    return status, rest[:length], rest[length:]


def well_formed(port, stats, server_pids, n, keepalive, tag):
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            for i in range(n):
                last = i == n - 1 or not keepalive
                req = (f"GET /{tag}/{i} HTTP/1.1\r\nHost: soak\r\nX-Soak: {tag}-{i}\r\n"
                       + ("Connection: close\r\n" if last else "") + "\r\n").encode()
                started = time.monotonic()
                s.sendall(req)
                status, body, leftover = read_answer(s, started + 10)
                if status != 200:
                    raise ValueError(f"status {status}")
                if f"{tag}-{i}".encode() not in body:
                    raise ValueError("the answer is for another request")
                if not PID_ROW.search(body):
                    raise ValueError("the page has no PID row")
                if leftover:
                    raise ValueError("a second answer arrived")
                stats.add("ok")
                if last:
                    s.settimeout(5)
                    if s.recv(1):
                        raise ValueError("bytes after the last answer")
                    break
    except Exception as e:  # noqa: BLE001 - every way of failing counts
        stats.fail(started, time.monotonic(), f"{tag}: {type(e).__name__}: {e}")


def slowloris(port, stats, finish):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
            req = b"GET /slow HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n"
            upto = len(req) if finish else len(req) // 2
            for b in req[:upto]:
                s.send(bytes([b]))
                time.sleep(0.05)
            if finish:
                status, _, _ = read_answer(s, time.monotonic() + 30)
                stats.add("ok" if status == 200 else "failed")
    except Exception:  # noqa: BLE001 - a trickling client may be cut off by the read timeout
        pass


def vanish(port, mid_response):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if mid_response:
            s.sendall(b"GET /vanish HTTP/1.1\r\nHost: soak\r\n\r\n")
            s.recv(10)
        else:
            s.sendall(b"GET /vanish HTTP/1.1\r\nHo")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()  # an RST
    except OSError:
        pass


MALFORMED = [
    b"GET / HTTP/1.1\r\nHost: soak\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nxx",
    b"GET / HTTP/1.1\r\nHost: soak\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
    b"GET /\x01 HTTP/1.1\r\nHost: soak\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: u@soak\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: soak\r\n\r\n",
    b"GET / HTTP/1.1\r\n Host: soak\r\n\r\n",
]


def malformed(port, stats):
    started = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(random.choice(MALFORMED))
            status, _, _ = read_answer(s, started + 10)
            if not (400 <= status < 500 or status == 505):   # 505: an HTTP version the server does not speak
                raise ValueError(f"status {status} for a malformed request")
            s.settimeout(5)
            if s.recv(1):
                raise ValueError("the connection stayed open after a 4xx")
            stats.add("rejected_4xx")
    except Exception as e:  # noqa: BLE001
        stats.fail(started, time.monotonic(), f"malformed: {type(e).__name__}: {e}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--workers", type=int, default=10)
    ap.add_argument("--kill-every", type=float, default=5)
    ap.add_argument("--clients", type=int, default=8, help="threads per traffic kind")
    ap.add_argument("--per-kill-bound", type=int, default=20)
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if a.minutes <= 0 or a.workers < 1 or a.kill_every <= 0:
        ap.error("--minutes and --kill-every must be positive and --workers at least 1")

    if not a.no_build:
        subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", os.path.join(ROOT, "examples/PreforkHttpd")], check=True)
    server = subprocess.Popen(["dotnet", DLL, "--port", "0", "--address", "127.0.0.1", "--quiet", "--keep-alive",
                               "--max-processes", str(a.workers)],
                              stderr=subprocess.PIPE, text=True, start_new_session=True)
    port = None
    for line in server.stderr:
        m = re.search(r"has begun listening on port (\d+)", line)
        if m:
            port = int(m.group(1))
            break
    if port is None:
        sys.exit("soak: the server did not start")
    threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()
    # The idle baseline is taken with every worker up (each holds a pidfd in the parent).
    def wait_for_workers():
        until = time.monotonic() + 30
        while time.monotonic() < until and len(children_of(server.pid)) < a.workers:
            time.sleep(0.1)
    wait_for_workers()
    idle_fds_before = fds(server.pid)
    idle_kinds_before = fd_kinds(server.pid)

    seen = set()
    seen_lock = threading.Lock()

    def server_pids():
        with seen_lock:
            seen.update(tree(server.pid))
            return set(seen)

    stats = Stats()
    stop = threading.Event()

    def loop(fn):
        def run():
            while not stop.is_set():
                fn()
        return run

    kinds = [
        loop(lambda: well_formed(port, stats, server_pids, 1, False, "close")),
        loop(lambda: well_formed(port, stats, server_pids, random.randint(2, 20), True, "keep")),
        loop(lambda: slowloris(port, stats, finish=random.random() < 0.5)),
        loop(lambda: vanish(port, mid_response=random.random() < 0.5)),
        loop(lambda: malformed(port, stats)),
    ]
    threads = [threading.Thread(target=k, daemon=True) for k in kinds for _ in range(a.clients)]
    for t in threads:
        t.start()

    samples = []
    start = time.monotonic()
    next_kill = start + a.kill_every
    next_report = start + 60
    end = start + a.minutes * 60
    print("minute answered failed in_kill rejected_4xx parent_fds_floor parent_rss_kib_mean parent_rss_kib_max workers kills",
          flush=True)
    last_ok = 0
    fd_floor = None  # the fewest descriptors seen this minute: in-flight connections come and go, a leak raises the floor
    rss_seen = []  # every RSS sample this minute: a leak raises the mean, collections only make it breathe
    while time.monotonic() < end and server.poll() is None:
        time.sleep(0.2)
        now = time.monotonic()
        try:
            n = fds(server.pid)
            fd_floor = n if fd_floor is None else min(fd_floor, n)
            rss_seen.append(rss_kib(server.pid))
        except OSError:
            pass
        if now >= next_kill:
            kids = children_of(server.pid)
            if kids:
                victim = random.choice(kids)
                with stats.lock:
                    stats.kills.append((now, victim))
                try:
                    os.kill(victim, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            next_kill = now + a.kill_every
        if now >= next_report or now >= end:
            with stats.lock:
                row = (len(samples) + 1, stats.ok - last_ok, stats.failed, stats.failed_in_kill, stats.rejected_4xx,
                       fd_floor, sum(rss_seen) // max(len(rss_seen), 1), max(rss_seen, default=0),
                       len(children_of(server.pid)), len(stats.kills))
                last_ok = stats.ok
            fd_floor = None
            rss_seen = []
            samples.append(row)
            print(" ".join(str(x) for x in row), flush=True)
            next_report = now + 60

    crashed = server.poll() is not None
    stop.set()
    for t in threads:
        t.join(timeout=40)
    # Idle again: every connection ends by its client or the server's timeouts (read 10 s, keep-alive 5 s).
    if not crashed:
        wait_for_workers()
    wait_until = time.monotonic() + 30
    while time.monotonic() < wait_until and not crashed and fds(server.pid) > idle_fds_before:
        time.sleep(0.5)
    idle_fds_after = fds(server.pid) if not crashed else -1
    idle_kinds_after = fd_kinds(server.pid) if not crashed else {}
    everyone = server_pids()
    os.kill(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pass
    time.sleep(1)
    left = [p for p in everyone if os.path.exists(f"/proc/{p}") and open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]
    for p in left:
        os.kill(p, signal.SIGKILL)

    kills = len(stats.kills)
    growth_rss = 0.0
    if len(samples) >= 2:
        growth_rss = (max(s[6] for s in samples[1:]) - samples[0][6]) / max(samples[0][6], 1) * 100
    problems = []
    if crashed:
        problems.append(f"the parent exited during the soak (status {server.returncode})")
    if stats.failed:
        problems.append(f"{stats.failed} well-formed requests failed outside kills, e.g. {stats.examples[:3]}")
    if stats.failed_in_kill > a.per_kill_bound * max(kills, 1):
        problems.append(f"{stats.failed_in_kill} failures during kills exceed {a.per_kill_bound} x {kills} kills")
    if len(samples) >= 2 and growth_rss >= 5:
        problems.append(f"parent RSS (a minute's mean) grew {growth_rss:.1f} % after the first minute")
    if idle_fds_after > idle_fds_before:
        extra = {k: v - idle_kinds_before.get(k, 0) for k, v in idle_kinds_after.items() if v > idle_kinds_before.get(k, 0)}
        problems.append(f"the idle parent holds {idle_fds_after} descriptors after the soak, {idle_fds_before} before (more: {extra})")
    if left:
        problems.append(f"processes left after stop: {left}")
    verdict = "PASS" if not problems else "FAIL: " + "; ".join(problems)
    print(f"soak: {a.minutes:g} min, {stats.ok} answered, {stats.failed} failed, {stats.failed_in_kill} failed during "
          f"{kills} kills, {stats.rejected_4xx} malformed rejected, idle parent fds {idle_fds_before} -> {idle_fds_after}, "
          f"parent RSS growth {growth_rss:+.1f} %, "
          f"{len(left)} left: {verdict}")
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
