#!/usr/bin/python3
"""The seed's "text mode" example: turn buffering on, then use GET and ACK.

    /usr/bin/python3 clients/python/examples/buffering.py --port 8081 --skill skill1 --count 1

With buffering on, the server keeps the last packet it sent this client until the
client ACKs it; a GET ({'get': ''}) has it sent again, as often as asked. An ACK
releases it and lets the next packet come.

Options (host and port also from the environment, QMSGBUS_HOST / QMSGBUS_PORT):
  --host H, --port P   the server (default 127.0.0.1:8081)
  --skill S            skill to register for (default skill1)
  --count N            stop after N packets (default 1)
  --gets G             GETs per packet before ACKing it (default 1)
  --timeout SEC        stop after SEC seconds (default 30)
  --literal            spell control packets as the seed's README does, Python literals
                       sent as text: {'buffering' : True}, {'register':'skill1'},
                       {'get':''}, {'ack':''}
  --sync               after registering, register again with an "id" and wait for the
                       reply (an extension), then print READY

Prints "READY" (with --sync); per packet "RECEIVED <JSON>", then per GET
"AGAIN identical <JSON>" (or "AGAIN different ..."); then "DONE received=N" (exit 0)
or "TIMEOUT received=N" (exit 3).
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
    p = argparse.ArgumentParser(description="QMsgBus buffering + GET example")
    p.add_argument("--host", default=os.environ.get("QMSGBUS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("QMSGBUS_PORT", "8081")))
    p.add_argument("--skill", default="skill1")
    p.add_argument("--count", type=int, default=1)
    p.add_argument("--gets", type=int, default=1)
    p.add_argument("--timeout", type=float, default=30.0)
    p.add_argument("--literal", action="store_true")
    p.add_argument("--sync", action="store_true")
    return p.parse_args()


def next_packet(q, deadline):
    """Pop the next received packet, waiting until the deadline; None on timeout."""
    while time.monotonic() < deadline:
        if len(q) > 0:
            return q.popleft()
        time.sleep(0.001)
    return None


def await_reply(ws, reply_id, deadline):
    """Wait for the TEXT reply carrying reply_id; True if it says ok."""
    while time.monotonic() < deadline:
        while ws.replies:
            reply = json.loads(ws.replies.popleft())
            if reply.get("id") == reply_id:
                return reply.get("ok") is True
        time.sleep(0.005)
    return False


def show(pkt):
    di = json.loads(pkt.decode())
    return json.dumps({'skill': di['skill'], 'payload': di.get('payload')})


def main():
    args = parse_args()
    myservername, port_number = args.host, args.port
    deadline = time.monotonic() + args.timeout
    if args.literal:  # exactly as the seed's README writes them
        buffering_on = "{'buffering' : True}"
        register = "{'register':'%s'}" % args.skill
        get = "{'get':''}"
        ack = "{'ack':''}"
    else:
        buffering_on = json.dumps({'buffering': True})
        register = json.dumps({'register': args.skill})
        get = json.dumps({'get': ''})
        ack = json.dumps({'ack': ''})

    # --- seed example: enable buffering (begin) ---
    q = collections.deque()
    ws = WebSocketClientQ(q, myservername, port_number, '/')
    threading.Thread(target=ws.run_forever).start()
    while not ws.emitText(buffering_on):
        print("recvr_client: trying to enable buffering in the server", flush=True)
        if time.monotonic() > deadline:
            break
        time.sleep(0.1)  # the seed waits 1 s
    # --- seed example: enable buffering (end) ---

    ws.emitText(register)
    if args.sync:
        ws.emitText(json.dumps({'register': args.skill, 'id': 'ready'}))
        if not await_reply(ws, 'ready', min(deadline, time.monotonic() + 10)):
            print("ERROR no reply to the sync register", flush=True)
            ws.close()
            return 2
        print("READY", flush=True)

    # --- buffering: GET and ACK (begin) ---
    received = 0
    while received < args.count:
        pkt = next_packet(q, deadline)
        if pkt is None:
            break
        received += 1
        print("RECEIVED " + show(pkt), flush=True)
        for _ in range(args.gets):
            ws.emitText(get)  # the server sends the kept packet again
            again = next_packet(q, deadline)
            if again is None:
                break
            print("AGAIN %s %s" % ("identical" if again == pkt else "different", show(again)),
                  flush=True)
        ws.emitText(ack)  # releases the kept packet; the next one may come
    # --- buffering: GET and ACK (end) ---

    if received < args.count:
        print("TIMEOUT received=%d" % received, flush=True)
        ws.close()
        return 3
    print("DONE received=%d" % received, flush=True)
    ws.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
