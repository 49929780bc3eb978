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

    q = collections.deque()
    ws = WebSocketClientQ(q, args.host, args.port, args.path,
                          on_text=lambda msg: emit("TEXT " + msg), **extra)
    delivered = [0]
    stop = threading.Event()

    def run():
        ws.run_forever()
        emit("CLOSED")

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
    ws.close()
    runner.join(5)
    stop.set()
    drainer.join(5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
