#!/usr/bin/env python3
"""Opens N keep-alive connections to 127.0.0.1:PORT, sends one GET on each and reads its answer,
then keeps them all open and idle. Prints "ready OPEN" once every connection has had its answer
(or the deadline passed), then waits until stdin closes, and prints "alive N" (connections the
server has not closed) before it exits.

    idle_conns.py PORT N [--deadline S]
"""
import selectors, socket, sys, time

port, n = int(sys.argv[1]), int(sys.argv[2])
deadline = time.monotonic() + (float(sys.argv[sys.argv.index("--deadline") + 1]) if "--deadline" in sys.argv else 60)
request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: idle\r\n\r\n"
sel = selectors.DefaultSelector()
socks, pending, answered = [], 0, 0
batch = 200   # connects in flight at once, so the listen backlog does not overflow

def open_one():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.connect_ex(("127.0.0.1", port))
    sel.register(s, selectors.EVENT_WRITE, "connecting")
    socks.append(s)

opened = 0
while (opened < n or pending or sel.get_map()) and time.monotonic() < deadline:
    while opened < n and pending < batch:
        open_one(); opened += 1; pending += 1
    for key, ev in sel.select(timeout=0.5):
        s = key.fileobj
        if key.data == "connecting":
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) != 0:
                sel.unregister(s); pending -= 1; continue
            s.send(request)
            sel.modify(s, selectors.EVENT_READ, "reading")
        else:
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            # The first bytes of the answer are enough: what is left is drained at the end.
            sel.unregister(s); pending -= 1
            if data: answered += 1
print(f"ready {answered}", flush=True)
sys.stdin.read()
alive = 0
for s in socks:
    try:
        while True:
            d = s.recv(65536)
            if not d: break       # closed by the server
    except BlockingIOError:
        alive += 1                # still open, nothing more to read
    except OSError:
        pass
print(f"alive {alive}", flush=True)
