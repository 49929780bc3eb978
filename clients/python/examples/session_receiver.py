"""A receiver with a durable session, on the seed's WebSocketClientQ unchanged: the session's
name rides on the path it already takes ('/?session=NAME'). Registers, pops and ACKs --count
packets, exits. Run it again with the same --session and it gets what arrived while it was away.

    /usr/bin/python3 clients/python/examples/session_receiver.py --session inbox-7 --count 3

Prints "READY" once registered, "RECEIVED <JSON of skill and payload>" per packet, then
"DONE received=N" (exit 0) or "TIMEOUT received=N" (exit 3).
"""

import argparse
import collections
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from WebSocketClientQ import WebSocketClientQ  # noqa: E402


def main():
    p = argparse.ArgumentParser(description="QMsgBus receiver with a durable session")
    p.add_argument("--host", default=os.environ.get("QMSGBUS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QMSGBUS_PORT", "8081")))
    p.add_argument("--session", required=True)
    p.add_argument("--skill", default="skill1")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--timeout", type=float, default=30.0)
    args = p.parse_args()
    deadline = time.monotonic() + args.timeout

    q = collections.deque()
    ws = WebSocketClientQ(q, args.host, args.port, '/?session=' + args.session)
    threading.Thread(target=ws.run_forever, daemon=True).start()
    while not ws.emitText(json.dumps({'register': args.skill, 'id': 'ready'})):
        if time.monotonic() > deadline:
            print("TIMEOUT received=0", flush=True)
            return 3
        time.sleep(0.05)
    while time.monotonic() < deadline:
        if any(json.loads(r).get("id") == "ready" for r in list(ws.replies)):
            break
        time.sleep(0.005)
    print("READY", flush=True)

    received = 0
    while received < args.count:
        if time.monotonic() > deadline:
            print("TIMEOUT received=%d" % received, flush=True)
            ws.close()
            return 3
        if len(q) > 0:
            pkt = q.popleft()
            received += 1
            di = json.loads(pkt.decode())
            print("RECEIVED " + json.dumps({'skill': di['skill'], 'payload': di.get('payload')}),
                  flush=True)
            ws.emitText(json.dumps({'ack': ''}))
        time.sleep(0.001)
    # the last ACK must reach the server before we go, or that packet comes again next time
    # (at-least-once): a control packet with an id, answered after everything before it
    ws.emitText(json.dumps({'fastpush': False, 'id': 'bye'}))
    while time.monotonic() < deadline:
        if any(json.loads(r).get("id") == "bye" for r in list(ws.replies)):
            break
        time.sleep(0.005)
    print("DONE received=%d" % received, flush=True)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
