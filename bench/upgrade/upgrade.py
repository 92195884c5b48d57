#!/usr/bin/env python3
"""Times HelloHttp's binary upgrade (SIGUSR2, then QUIT to the old master) under load.

Starts HelloHttp (Release build) with --workers N on a free port, runs a close-per-request load
and a keep-alive load (plain sockets, --clients threads each), and does --upgrades upgrades in a
row. Per upgrade it prints:
  ready_ms     USR2 to the old master's log line "new master M accepts" (the new master has
               forked its workers and written its readiness byte; the old one polls every 100 ms)
  first_ms     USR2 to the first answer the load got from one of the new master's workers
  drain_ms     QUIT to the old master and all its workers gone
  during       requests answered from USR2 until the old tree was gone, and that as req/s
  before       req/s in the --settle seconds before USR2
A request fails when it is refused, reset, ends short, stalls (10 s), or is not the 200 "Hello"
answer; a kept connection closed before any byte of its answer is counted apart (idle-closed).
The closing line says PASS (0 failed, 0 idle-closed, every process gone, the last master holds
no more descriptors than the first master made by an upgrade) or FAIL, with the medians.

  bench/upgrade/upgrade.py [--upgrades N] [--workers N] [--clients N] [--settle S] [--dll PATH]
"""
import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DLL = os.path.join(ROOT, "examples/HelloHttp/bin/Release/net10.0/HelloHttp.dll")
HELLO = re.compile(rb"^Hello, world! \(pid (\d+)\)\n$")
STALL = 10.0
PATIENCE = 60.0


class Load:
    """Request loops on plain sockets; counts answers per pid and every kind of failure."""

    def __init__(self, port, keep_alive, clients):
        self.port, self.keep_alive = port, keep_alive
        self.lock = threading.Lock()
        self.served = 0
        self.failed = {"refused": 0, "reset": 0, "short": 0, "stalled": 0, "wrong": 0}
        self.idle_closed = 0
        self.first_by_pid = {}
        self.failures = []
        self.stopping = False
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(clients)]
        for t in self.threads:
            t.start()

    def fail(self, kind, detail):
        with self.lock:
            self.failed[kind] += 1
            if len(self.failures) < 10:
                self.failures.append(f"{time.strftime('%H:%M:%S')} {kind}: {detail}")

    def loop(self):
        request = b"GET / HTTP/1.1\r\nHost: bench\r\n" + (b"" if self.keep_alive else b"Connection: close\r\n") + b"\r\n"
        sock, used = None, 0
        while not self.stopping:
            if sock is None:
                sock, used = socket.socket(), 0
                sock.settimeout(STALL)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                try:
                    sock.connect(("127.0.0.1", self.port))
                except OSError as e:
                    self.fail("refused", str(e))
                    sock.close()
                    sock = None
                    time.sleep(0.01)
                    continue
            kind, detail, close = self.exchange(sock, request, used)
            if kind == "ok":
                used += 1
                with self.lock:
                    self.served += 1
            elif kind == "idle":
                with self.lock:
                    self.idle_closed += 1
            else:
                self.fail(kind, detail)
            if kind != "ok" or close or not self.keep_alive:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()

    def exchange(self, sock, request, used):
        data = b""
        try:
            sock.sendall(request)
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(4096)
                if not chunk:
                    return ("idle" if not data and used else "short"), f"{len(data)} bytes of the head", True
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            if not lines[0].startswith(b"HTTP/1.1 200 "):
                return "wrong", lines[0].decode("latin-1"), True
            length, close = -1, False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
                if name.strip().lower() == b"connection" and value.strip().lower() == b"close":
                    close = True
            while len(body) < length:
                chunk = sock.recv(4096)
                if not chunk:
                    return "short", f"{len(body)} of {length} body bytes", True
                body += chunk
            m = HELLO.match(body)
            if length < 0 or not m:
                return "wrong", repr(body[:80]), True
            pid = int(m.group(1))
            with self.lock:
                self.first_by_pid.setdefault(pid, time.monotonic())
            if close or not self.keep_alive:
                if sock.recv(4096):
                    return "wrong", "bytes after the answer", True
            return "ok", "", close
        except socket.timeout:
            return "stalled", f"no byte for {STALL} s after {len(data)} bytes", True
        except (ConnectionResetError, BrokenPipeError, ConnectionAbortedError) as e:
            return ("idle" if not data and used else "reset"), str(e), True

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join(STALL + 5)

    def failed_total(self):
        return sum(self.failed.values())

    def describe(self, name):
        return (f"{name}: served={self.served} failed={self.failed_total()} "
                + " ".join(f"{k}={v}" for k, v in self.failed.items())
                + f" idle-closed={self.idle_closed}" + "".join("\n  " + f for f in self.failures))


def stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[19])   # state, start time


def tree(pid):
    """The process and its descendants as (pid, start time)."""
    out = []
    s = stat(pid)
    if s is None:
        return out
    out.append((pid, s[1]))
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/children") as f:
                kids = f.read().split()
        except OSError:
            continue
        for k in kids:
            out.extend(tree(int(k)))
    return out


def alive(p):
    """True while this very process exists and is not a zombie."""
    s = stat(p[0])
    return s is not None and s[1] == p[1] and s[0] != "Z"


def until(cond, timeout=PATIENCE):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.01)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upgrades", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--clients", type=int, default=2, help="threads per load")
    ap.add_argument("--settle", type=float, default=2.0, help="seconds of load before each USR2")
    ap.add_argument("--dll", default=DLL)
    a = ap.parse_args()

    server = subprocess.Popen(["dotnet", a.dll, "--port", "0", "--address", "127.0.0.1", "--workers", str(a.workers)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    lines, lines_lock = [], threading.Lock()

    def read_stderr():
        for raw in server.stderr:
            with lines_lock:
                lines.append(raw.decode("utf-8", "replace").rstrip("\n"))

    threading.Thread(target=read_stderr, daemon=True).start()

    def find_line(pattern):
        with lines_lock:
            for line in lines:
                m = pattern.search(line)
                if m:
                    return m
        return None

    seen = set()
    second_fds = 0
    current = server.pid
    rows, ok, why = [], True, []
    loads = []
    try:
        m = until(lambda: find_line(re.compile(r"has begun listening on port (\d+)")))
        if not m:
            raise SystemExit("upgrade: HelloHttp did not start:\n" + "\n".join(lines[-20:]))
        port = int(m.group(1))
        until(lambda: len([p for p in tree(current) if alive(p)]) == a.workers + 1)
        first_fds = len(os.listdir(f"/proc/{current}/fd"))
        loads = [Load(port, False, a.clients), Load(port, True, a.clients)]
        print(f"HelloHttp {current} on port {port}, {a.workers} workers; {a.clients} close + {a.clients} keep-alive clients;"
              f" {a.upgrades} upgrades; load average {os.getloadavg()[0]:.1f}", flush=True)
        print("| upgrade | ready_ms | first_ms | drain_ms | during (req) | during (req/s) | before (req/s) |", flush=True)
        print("|---|---|---|---|---|---|---|", flush=True)
        served = lambda: sum(l.served for l in loads)
        for n in range(1, a.upgrades + 1):
            before0 = served()
            time.sleep(a.settle)
            before_rate = (served() - before0) / a.settle
            old_tree = tree(current)
            seen.update(old_tree)
            s0, t0 = served(), time.monotonic()
            os.kill(current, signal.SIGUSR2)
            ready = until(lambda: find_line(re.compile(rf"Server {current}: new master (\d+) accepts")))
            if not ready:
                raise SystemExit(f"upgrade {n}: no new master reported ready:\n" + "\n".join(lines[-20:]))
            t_ready = time.monotonic()
            new = int(ready.group(1))
            workers = until(lambda: [p for p in tree(new) if p[0] != new and alive(p)] if
                            len([p for p in tree(new) if p[0] != new and alive(p)]) == a.workers else None)
            if not workers:
                raise SystemExit(f"upgrade {n}: the new master {new} did not fork {a.workers} workers")
            seen.update(tree(new))

            def first_new():
                times = [l.first_by_pid[w[0]] for l in loads for w in workers if w[0] in l.first_by_pid]
                return min(times) if times else None

            t_first = until(first_new)
            if t_first is None:
                raise SystemExit(f"upgrade {n}: no answer from a new worker")
            t_quit = time.monotonic()
            os.kill(current, signal.SIGQUIT)
            leaving = [p for p in old_tree if p[0] != new]
            if not until(lambda: not any(alive(p) for p in leaving)):
                raise SystemExit(f"upgrade {n}: the old master {current} did not leave on QUIT")
            t_gone = time.monotonic()
            during = served() - s0
            rows.append((t_ready - t0, t_first - t0, t_gone - t_quit))
            print(f"| {n} | {(t_ready - t0) * 1000:.0f} | {(t_first - t0) * 1000:.0f} | {(t_gone - t_quit) * 1000:.0f} | {during} | "
                  f"{during / (t_gone - t0):.0f} | {before_rate:.0f} |", flush=True)
            current = new
            if n == 1:
                second_fds = len(os.listdir(f"/proc/{current}/fd"))
        time.sleep(a.settle)
        for l in loads:
            l.stop()
        last_fds = len(os.listdir(f"/proc/{current}/fd"))
        for name, l in zip(("close", "keep-alive"), loads):
            print(l.describe(name), flush=True)
            if l.failed_total() or l.idle_closed:
                ok = False
                why.append(f"{name} load failed")
        # The first master also holds what its launcher left open: the masters made by an upgrade compare.
        print(f"descriptors: first master {first_fds}, second {second_fds}, last {last_fds}", flush=True)
        if last_fds > second_fds:
            ok = False
            why.append("descriptor growth")
    except SystemExit as e:
        ok = False
        why.append(str(e))
        print(e, file=sys.stderr, flush=True)
    finally:
        for l in loads:
            l.stop()
        seen.update(tree(current))
        try:
            os.kill(current, signal.SIGTERM)
        except ProcessLookupError:
            pass
        until(lambda: not any(alive(p) for p in seen), 30)
        left = [p for p in seen if alive(p)]
        for p in left:
            try:
                os.kill(p[0], signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        if left:
            ok = False
            why.append(f"{len(left)} processes left (killed)")
    med = lambda i: statistics.median(r[i] for r in rows) * 1000 if rows else float("nan")
    print(f"RESULT {'PASS' if ok else 'FAIL'}: {len(rows)}/{a.upgrades} upgrades; median USR2->ready {med(0):.0f} ms, "
          f"USR2->first answer of a new worker {med(1):.0f} ms, QUIT->old tree gone {med(2):.0f} ms"
          + ("" if ok else "; " + "; ".join(why)), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
