#!/usr/bin/python3
"""The seed's fast-push option: every packet is pushed as it arrives, no ACK needed.

    /usr/bin/python3 clients/python/examples/fastpush.py --port 8081 --skill skill1 --count 5

This receiver turns fast-push on, registers, and then never sends an ACK: with
fast-push on it still gets every packet. (With fast-push off, the default, it
would get one packet and then nothing until it ACKed.)

Options (host and port also from the environment, QMSGBUS_HOST / QMSGBUS_PORT):
  --host H, --port P   the server (default 127.0.0.1:8081)
  --skill S            skill to register for (default skill1)
  --count N            stop after N packets (default 0: run for ever)
  --timeout SEC        stop after SEC seconds (default 0: no limit)
  --literal            spell control packets as the seed's README does, Python literals
                       sent as text: {'fastpush' : True}, {'register':'skill1'}
  --sync               after registering, register again with an "id" and wait for the
                       reply (an extension), then print READY

Prints "READY" (with --sync), "RECEIVED <JSON>" per packet, then "DONE received=N"
(exit 0) or "TIMEOUT received=N" (exit 3).
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
    p = argparse.ArgumentParser(description="QMsgBus fast-push example")
    p.add_argument("--host", default=os.environ.get("QMSGBUS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QMSGBUS_PORT", "8081")))
    p.add_argument("--skill", default="skill1")
    p.add_argument("--count", type=int, default=0)
    p.add_argument("--timeout", type=float, default=0.0)
    p.add_argument("--literal", action="store_true")
    p.add_argument("--sync", action="store_true")
    return p.parse_args()


def await_reply(ws, reply_id, deadline):
    """Wait for the TEXT reply carrying reply_id; True if it says ok."""
    while time.monotonic() < deadline:
        while ws.replies:
            reply = json.loads(ws.replies.popleft())
            if reply.get("id") == reply_id:
                return reply.get("ok") is True
        time.sleep(0.005)
    return False


def main():
    args = parse_args()
    myservername, port_number = args.host, args.port
    limit = args.timeout if args.timeout > 0 else 365 * 24 * 3600.0
    deadline = time.monotonic() + limit
    if args.literal:  # exactly as the seed's README writes them
        fastpush_on = "{'fastpush' : True}"
        register = "{'register':'%s'}" % args.skill
    else:
        fastpush_on = json.dumps({'fastpush': True})
        register = json.dumps({'register': args.skill})

    # --- seed example: enable fast-push (begin) ---
    q = collections.deque()
    ws = WebSocketClientQ(q, myservername, port_number, '/')
    threading.Thread(target=ws.run_forever).start()
    while not ws.emitText(fastpush_on):
        print("recvr_client: trying to enable fast-push in the server", flush=True)
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)
    ws.emitText(register)
    # --- seed example: enable fast-push (end) ---

    if args.sync:
        ws.emitText(json.dumps({'register': args.skill, 'id': 'ready'}))
        if not await_reply(ws, 'ready', min(deadline, time.monotonic() + 10)):
            print("ERROR no reply to the sync register", flush=True)
            ws.close()
            return 2
        print("READY", flush=True)

    # --- fast-push: receive without ACKs (begin) ---
    received = 0
    while args.count == 0 or received < args.count:
        if time.monotonic() > deadline:
            print("TIMEOUT received=%d" % received, flush=True)
            ws.close()
            return 3
        if len(q) > 0:
            di = json.loads(q.popleft().decode())
            received += 1
            print("RECEIVED " + json.dumps({'skill': di['skill'], 'payload': di.get('payload')}),
                  flush=True)
        time.sleep(0.001)
    # --- fast-push: receive without ACKs (end) ---

    print("DONE received=%d" % received, flush=True)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
