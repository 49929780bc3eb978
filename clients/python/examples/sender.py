#!/usr/bin/python3
"""The seed's sender: sends data packets {'skill': ..., 'payload': ...} to the bus.

    /usr/bin/python3 clients/python/examples/sender.py --port 8081 --skill skill1

Options (host and port also from the environment, QMSGBUS_HOST / QMSGBUS_PORT):
  --host H        server address (default 127.0.0.1)
  --port P        server port (default 8081)
  --skill S       skill of the packets (default skill1)
  --count N       how many packets (default 1)
  --payload T     payload text; "{n}" in it becomes the packet number (1, 2, ...);
                  default: str(datetime.now()), as in the seed
  --timeout SEC   give up connecting after SEC seconds (default 10)

Prints one line per packet sent: "SENT <the exact JSON sent>", then "DONE sent=N".
Exit status 0 when every packet was sent, 2 when the connection failed.
"""

import argparse
import collections
import json
import os
import sys
import threading
import time
from datetime import datetime

# Find WebSocketClientQ.py one folder up (in your own program, keep it beside your code).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from WebSocketClientQ import WebSocketClientQ  # noqa: E402


def parse_args():
    p = argparse.ArgumentParser(description="QMsgBus seed sender")
    p.add_argument("--host", default=os.environ.get("QMSGBUS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QMSGBUS_PORT", "8081")))
    p.add_argument("--skill", default="skill1")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--payload", default=None)
    p.add_argument("--timeout", type=float, default=10.0)
    return p.parse_args()


def main():
    args = parse_args()
    SERVER_IP_ADDRESS, SERVER_PORT_NUMBER = args.host, args.port
    deadline = time.monotonic() + args.timeout

    # --- seed example: send a data packet (begin) ---
    # create a collections de-que structure; initialize and start off thread to maintain the websocket
    q = collections.deque()
    ws = WebSocketClientQ(q, SERVER_IP_ADDRESS, SERVER_PORT_NUMBER, '/')
    threading.Thread(target=ws.run_forever).start()

    # wait a few seconds to check the websocket connection is up
    while not (ws.client and ws.client.sock and ws.client.sock.connected):
        if time.monotonic() > deadline:  # bounded, unlike the seed's loop
            print("ERROR not connected to ws://%s:%d/" % (args.host, args.port), flush=True)
            ws.close()
            return 2
        time.sleep(0.05)

    for n in range(1, args.count + 1):
        payload = str(datetime.now()) if args.payload is None else args.payload.replace("{n}", str(n))
        # send a data payload with skill 'skill1' to the server
        pkt_raw = json.dumps({'skill': args.skill, 'payload': payload})
        if not ws.emitBinary(pkt_raw.encode()):
            print("ERROR send failed at packet %d" % n, flush=True)
            ws.close()
            return 2
        print("SENT " + pkt_raw, flush=True)
    # --- seed example: send a data packet (end) ---

    print("DONE sent=%d" % args.count, flush=True)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
