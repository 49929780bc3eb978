#!/usr/bin/python3
"""A WebSocketClientQ driven line by line from stdin, for the interop tests.

    /usr/bin/python3 clients/python/tests/driver.py --port 8081

The Java interop tests (qmsgbus-server/src/test/java/io/qmsgbus/interop/) run it to
check, step by step, what a seed-API client sees: which frames land in the deque,
byte for byte, and which do not.

Commands, one per line on stdin:
  text <string>    ws.emitText(<string>)               then prints "EMITTED <True|False>"
  texthex <hex>    ws.emitText(bytes.fromhex(<hex>))    ditto
  binary <string>  ws.emitBinary(<string>.encode())    ditto
  binhex <hex>     ws.emitBinary(bytes.fromhex(<hex>))  ditto
  count            prints "COUNT <packets put in the deque so far>"
  quit             ws.close() and exit (end of stdin does the same)

Events printed as they happen:
  CONNECTED                   ws.client.sock.connected became true
  DATA <type> <hex>           an item the client put into the deque (<type> is its Python
                              type name: "bytes" for a BINARY frame), in hex
  TEXT <string>               a TEXT frame (reply or error), which the deque never gets
  CLOSED                      run_forever returned
Exit status 0; 4 when --timeout seconds pass first.

Failover: --server HOST:PORT, given several times, passes servers=[...] (and no
positional host and port, so the first --server is tried first); --failover makes
the driver reconnect, the caller's way: each time run_forever returns it prints
"CLOSED", calls ws.failover() and prints "FAILOVER <url>", then runs run_forever
again (after a pause of 0.1 s once every server has failed in a row). With it,
"OPEN <url>" is printed each time a connection opens (the on_open callback);
registering again is up to whoever drives the driver, as for any seed client.

Security options: --ca-cert FILE connects over wss:// trusting FILE
(websocket-client's sslopt={"ca_certs": FILE}); the environment variable
QMSGBUS_TOKEN, when set, is sent as "Authorization: Bearer <token>".
"""

import argparse
import collections
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from WebSocketClientQ import WebSocketClientQ  # noqa: E402

_print_lock = threading.Lock()


def emit(line):
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main():
    p = argparse.ArgumentParser(description="stdin-driven WebSocketClientQ")
    p.add_argument("--host", default=os.environ.get("QMSGBUS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QMSGBUS_PORT", "8081")))
    p.add_argument("--path", default="/")
    p.add_argument("--timeout", type=float, default=60.0)
    p.add_argument("--ca-cert", default=None, help="wss://, trusting this PEM certificate")
    p.add_argument("--server", action="append", default=[], metavar="HOST:PORT",
                   help="a server to fail over between (repeatable)")
    p.add_argument("--failover", action="store_true",
                   help="when the connection ends or fails, move to the next server")
    args = p.parse_args()
    token = os.environ.get("QMSGBUS_TOKEN")
    extra = {}
    if args.ca_cert:
        extra["sslopt"] = {"ca_certs": args.ca_cert}
    if token:
        extra["header"] = ["Authorization: Bearer " + token]

    def watchdog():
        time.sleep(args.timeout)
        emit("TIMEOUT")
        os._exit(4)

    threading.Thread(target=watchdog, daemon=True).start()

    host, port = args.host, args.port
    if args.server:
        servers = []
        for entry in args.server:
            h, _, p_ = entry.rpartition(":")
            servers.append((h, int(p_)))
        extra["servers"] = servers
        host, port = None, None
    if args.failover:
        extra["on_open"] = lambda: emit("OPEN " + ws.url)

    q = collections.deque()
    ws = WebSocketClientQ(q, host, port, args.path,
                          on_text=lambda msg: emit("TEXT " + msg), **extra)
    delivered = [0]
    stop = threading.Event()
    quitting = threading.Event()

    def run():
        failed_in_a_row = 0
        while True:
            ws.run_forever()
            emit("CLOSED")
            if not args.failover or quitting.is_set():
                return
            failed_in_a_row = 0 if ws.was_connected else failed_in_a_row + 1
            emit("FAILOVER " + ws.failover())
            if failed_in_a_row >= len(ws.servers):
                failed_in_a_row = 0
                time.sleep(0.1)  # the client's backoff after a full round

    def drain():
        # The deque is the seed API's only output: report every item it gets.
        while not stop.is_set() or len(q) > 0:
            if len(q) > 0:
                item = q.popleft()
                delivered[0] += 1
                emit("DATA %s %s" % (type(item).__name__, bytes(item).hex()))
            else:
                time.sleep(0.001)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()

    while not (ws.client and ws.client.sock and ws.client.sock.connected):
        if not runner.is_alive():
            emit("ERROR could not connect")
            return 2
        time.sleep(0.01)
    emit("CONNECTED")

    for raw in sys.stdin:
        line = raw.rstrip("\n")
        cmd, _, arg = line.partition(" ")
        if cmd == "text":
            emit("EMITTED %s" % ws.emitText(arg))
        elif cmd == "texthex":
            emit("EMITTED %s" % ws.emitText(bytes.fromhex(arg)))
        elif cmd == "binary":
            emit("EMITTED %s" % ws.emitBinary(arg.encode("utf-8")))
        elif cmd == "binhex":
            emit("EMITTED %s" % ws.emitBinary(bytes.fromhex(arg)))
        elif cmd == "count":
            emit("COUNT %d" % (delivered[0] + len(q)))
        elif cmd == "quit":
            break
        elif cmd:
            emit("ERROR unknown command " + cmd)
    quitting.set()
    ws.close()
    runner.join(5)
    stop.set()
    drainer.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
