#!/usr/bin/python3
"""The seed's receiver: registers for a skill, then loops "pop a packet, ACK it".

    /usr/bin/python3 clients/python/examples/receiver.py --port 8081 --skill skill1

CORRECTED from the seed: the seed's loop has an "except: pass" with no "try:"
(a SyntaxError), and were the try put around the whole body, a packet that
fails to parse would skip the ACK and stall the receiver for good (the server
sends the next packet only after an ACK). Here the try covers the parsing only
and every packet is ACKed, readable or not.

Options (host and port also from the environment, QMSGBUS_HOST / QMSGBUS_PORT):
  --host H, --port P   the server (default 127.0.0.1:8081)
  --skill S            skill to register for (default skill1)
  --count N            stop after N packets (default 0: run for ever, as the seed does)
  --timeout SEC        stop after SEC seconds (default 0: no limit)
  --literal            send control packets spelled as the seed's README writes them,
                       Python literals: {'register':'skill1'} and {'ack':''}
  --sync               after registering, register again with an "id" and wait for the
                       server's reply (an extension), then print READY: once READY is
                       printed, packets sent to the skill reach this receiver

Prints "READY" (with --sync), one line per packet, "RECEIVED <JSON of skill and payload>"
(or "BAD <repr of bytes>" for a packet that is not such JSON), then
"DONE received=N" (exit 0) or "TIMEOUT received=N" (exit 3).
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
    p = argparse.ArgumentParser(description="QMsgBus seed receiver (corrected)")
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
    SERVER_IP_ADDRESS, SERVER_PORT_NUMBER = args.host, args.port
    limit = args.timeout if args.timeout > 0 else 365 * 24 * 3600.0
    deadline = time.monotonic() + limit
    if args.literal:  # the seed README's spelling, sent as it is written there
        register = "{'register':'%s'}" % args.skill
        ack = "{'ack':''}"
    else:
        register = json.dumps({'register': args.skill})
        ack = json.dumps({'ack': ''})
    received = 0

    # --- seed example: receive packets (begin) ---
    # create a collections de-que structure; initialize and start off thread to maintain the websocket
    q = collections.deque()
    ws = WebSocketClientQ(q, SERVER_IP_ADDRESS, SERVER_PORT_NUMBER, '/')
    threading.Thread(target=ws.run_forever).start()
    # register for a skill in the server
    while not ws.emitText(register):
        print("recvr_client: trying to register in server...", flush=True)
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)  # the seed waits 1 s
    # --- seed example: receive packets (pause) ---

    if args.sync and time.monotonic() < deadline:
        ws.emitText(json.dumps({'register': args.skill, 'id': 'ready'}))
        if not await_reply(ws, 'ready', min(deadline, time.monotonic() + 10)):
            print("ERROR no reply to the sync register", flush=True)
            ws.close()
            return 2
        print("READY", flush=True)

    # --- seed example: receive packets (resume) ---
    while args.count == 0 or received < args.count:
        if time.monotonic() > deadline:
            print("TIMEOUT received=%d" % received, flush=True)
            ws.close()
            return 3
        if len(q) > 0:
            pkt = q.popleft()
            received += 1
            try:
                # received packet must be decoded from unicode bytes to string format
                di = json.loads(pkt.decode())
                sk = di['skill']
                payload = di.get('payload')
                print("RECEIVED " + json.dumps({'skill': sk, 'payload': payload}), flush=True)
            except (ValueError, KeyError, TypeError, AttributeError):
                print("BAD %r" % (pkt,), flush=True)
            # ACK every packet, readable or not: the server sends the next one only after it
            ws.emitText(ack)
        # release some cpu cycles
        time.sleep(0.001)
    # --- seed example: receive packets (end) ---

    print("DONE received=%d" % received, flush=True)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
