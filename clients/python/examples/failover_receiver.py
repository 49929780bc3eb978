#!/usr/bin/python3
"""A receiver that fails over between servers: servers=[...], failover() and on_open.

    /usr/bin/python3 clients/python/examples/failover_receiver.py \\
        --server 127.0.0.1:8081 --server 127.0.0.1:9081 --skill skill1

When its connection ends (or cannot be opened) it moves to the next server and
registers there again: the server forgets a gone client's registrations.

Options:
  --server HOST:PORT   a server, repeatable, tried in this order (default: --host and
                       --port, or QMSGBUS_HOST / QMSGBUS_PORT, or 127.0.0.1:8081)
  --skill S            skill to register for (default skill1)
  --count N            stop after N packets (default 0: run for ever)
  --timeout SEC        stop after SEC seconds (default 0: no limit)

Prints "READY <url>" each time it is registered on a server (the register carries
an "id" and the server's reply is awaited), "RECEIVED <JSON of skill and payload>"
per packet, then "DONE received=N" (exit 0) or "TIMEOUT received=N" (exit 3).
"""

import argparse
import collections
import json
import os
import sys
import threading
import time

# Find WebSocketClientQ.py one folder up (in your own program, keep it beside your code).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from WebSocketClientQ import WebSocketClientQ  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="QMsgBus receiver with failover")
    p.add_argument("--host", default=os.environ.get("QMSGBUS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QMSGBUS_PORT", "8081")))
    p.add_argument("--server", action="append", default=[], metavar="HOST:PORT")
    p.add_argument("--skill", default="skill1")
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--timeout", type=float, default=0.0)
    return p.parse_args()


def main():
    args = parse_args()
    servers = []
    for entry in args.server:
        host, _, port = entry.rpartition(":")
        servers.append((host, int(port)))
    if not servers:
        servers = [(args.host, args.port)]
    limit = args.timeout if args.timeout > 0 else 365 * 24 * 3600.0
    deadline = time.monotonic() + limit
    stopping = threading.Event()
    received = 0

    # --- example: fail over (begin) ---
    q = collections.deque()

    def on_open():  # each connection, the first and every one after a failover
        ws.emitText(json.dumps({'register': args.skill, 'id': 'registered'}))

    def on_text(msg):
        if json.loads(msg).get('id') == 'registered':
            print("READY " + ws.url, flush=True)

    ws = WebSocketClientQ(q, None, None, '/', servers=servers, on_open=on_open, on_text=on_text)

    def keep_connected():
        failed = 0
        while not stopping.is_set():
            ws.run_forever()  # returns when the connection ends or cannot be opened
            failed = 0 if ws.was_connected else failed + 1
            if failed >= len(ws.servers):
                time.sleep(1)  # every server failed once: back off before the next round
                failed = 0
            if not stopping.is_set():
                ws.failover()  # the next server, round-robin, with a fresh connection

    threading.Thread(target=keep_connected, daemon=True).start()
    # --- example: fail over (end) ---

    while args.count == 0 or received < args.count:
        if time.monotonic() > deadline:
            print("TIMEOUT received=%d" % received, flush=True)
            stopping.set()
            ws.close()
            return 3
        if len(q) > 0:
            pkt = q.popleft()
            received += 1
            try:
                di = json.loads(pkt.decode())
                print("RECEIVED " + json.dumps({'skill': di['skill'],
                                                'payload': di.get('payload')}), flush=True)
            except (ValueError, KeyError, TypeError, AttributeError):
                print("BAD %r" % (pkt,), flush=True)
            ws.emitText(json.dumps({'ack': ''}))  # the server sends the next one after it
        time.sleep(0.001)

    print("DONE received=%d" % received, flush=True)
    stopping.set()
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
