#!/usr/bin/python3
"""The resume probe of bench/cluster.sh (PARTS=resume): how long a durable session takes to come
back on another node after its node is killed.

  bench/resume.py --url-a WS --url-b WS --kill-pid PID --session NAME --skill SKILL
                  [--rate 1000] [--before 3] [--reconnect-delay MS] [--timeout 30] [--drain 10]

One process, one clock (time.monotonic; the kill is its own os.kill):
  1. a receiver attaches session NAME (expiry 60, clean) on node A (--url-a), registers SKILL,
     in ACK mode ({"ack":""} after each packet);
  2. a publisher on node B (--url-b) with {"confirms":true} publishes {"skill":SKILL,"id":N,...}
     for N = 1, 2, ... at --rate packets/s (paced by the clock, not by the confirms);
  3. after --before s of that, once the receiver has everything confirmed so far, the probe sends
     SIGKILL to PID (node A) and the receiver, as soon as its connection drops (and
     --reconnect-delay ms later: a client's back-off; default 0), connects to node B with the same
     session name (no clean) and goes on acking;
  4. it times, from the kill: the receiver seeing its connection drop, the WebSocket to B open
     (the session attached), the first packet on B, and "caught up": the first moment the receiver
     holds every packet confirmed so far (all ids 1..C, C the highest id confirmed with every
     lower one confirmed too);
  5. then it stops publishing and waits (at most --drain s) for every confirmed packet, counting
     the missing (confirmed, never received: must be 0) and the repeated ones (received twice:
     at most the one in flight at the kill).
Prints one JSON object. Exit 0 when caught up, 1 otherwise (the JSON says how far it got), 2 on a
setup failure. Needs the 'websocket' module (Debian: python3-websocket; /usr/bin/python3).
Every wait is bounded.
"""
import argparse
import json
import os
import signal
import sys
import threading
import time

import websocket


def now():
    return time.monotonic()


class Probe:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.confirmed = set()  # ids confirmed ok
        self.confirmed_upto = 0  # every id 1..confirmed_upto confirmed
        self.refused = 0  # ok:false
        self.refusals = []
        self.published = 0
        self.received = set()
        self.received_upto = 0  # every id 1..received_upto received
        self.repeats = 0
        self.received_on = {"a": 0, "b": 0}
        self.stop_publishing = threading.Event()
        self.killed_at = None
        self.t = {}  # event -> monotonic time
        self.error = None

    # ---- publisher (node B)

    def publish(self, ws):
        period = 1.0 / self.a.rate
        start = now()
        n = 0
        pad = "x" * 40
        while not self.stop_publishing.is_set():
            n += 1
            due = start + (n - 1) * period
            d = due - now()
            if d > 0:
                time.sleep(d)
            ws.send(json.dumps({"skill": self.a.skill, "id": n, "pad": pad}, separators=(",", ":")),
                    opcode=websocket.ABNF.OPCODE_BINARY)
            with self.lock:
                self.published = n

    def confirms(self, ws):
        while True:
            try:
                msg = ws.recv()
            except (websocket.WebSocketException, OSError):
                return
            if isinstance(msg, bytes):
                msg = msg.decode()
            try:
                r = json.loads(msg)
            except ValueError:
                continue
            i = r.get("id")
            if not isinstance(i, int) or i == 0:
                continue
            with self.lock:
                if r.get("ok") is True:
                    self.confirmed.add(i)
                    while self.confirmed_upto + 1 in self.confirmed:
                        self.confirmed_upto += 1
                        self.confirmed.discard(self.confirmed_upto)
                else:
                    self.refused += 1
                    if len(self.refusals) < 5:
                        self.refusals.append(msg)

    # ---- receiver (node A, then B)

    def connect_receiver(self, url, clean):
        q = "?session=%s&expiry=60%s" % (self.a.session, "&clean=true" if clean else "")
        return websocket.create_connection(url.rstrip("/") + "/" + q, timeout=5)

    def got(self, node, msg):
        """Notes one packet; returns True when, after it, the receiver holds all confirmed."""
        n = json.loads(msg)["id"]
        with self.lock:
            if n in self.received or n <= self.received_upto:
                self.repeats += 1
            else:
                self.received.add(n)
                while self.received_upto + 1 in self.received:
                    self.received_upto += 1
                    self.received.discard(self.received_upto)
            self.received_on[node] += 1
            return self.received_upto >= self.confirmed_upto

    def receive_until_dropped(self, ws, deadline):
        """Node A: receive and ack until the connection drops (after the kill) or the deadline."""
        while now() < deadline:
            try:
                msg = ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError):
                return True
            if not isinstance(msg, bytes) or not msg:
                if msg == "" or msg is None:
                    return True  # a close frame
                continue  # replies (TEXT)
            self.got("a", msg)
            try:
                ws.send('{"ack":""}')
            except (websocket.WebSocketException, OSError):
                return True
        return False

    def run(self):
        a = self.a
        out = {"session": a.session, "rate": a.rate, "before_s": a.before,
               "reconnect_delay_ms": a.reconnect_delay}
        # the receiver on A: register and wait for the ok
        try:
            ra = self.connect_receiver(a.url_a, True)
            ra.send(json.dumps({"register": a.skill, "id": 1}))
            ra.settimeout(5)
            reply = ra.recv()
            if '"ok":true' not in reply.replace(" ", ""):
                raise OSError("register: " + str(reply))
            pb = websocket.create_connection(a.url_b, timeout=5)
            pb.send(json.dumps({"confirms": True, "id": 0}))
            reply = pb.recv()
            if '"ok":true' not in reply.replace(" ", ""):
                raise OSError("confirms: " + str(reply))
            pb.settimeout(None)
        except (websocket.WebSocketException, OSError, ValueError) as e:
            out["error"] = "setup: %s" % e
            print(json.dumps(out))
            return 2
        threading.Thread(target=self.confirms, args=(pb,), daemon=True).start()
        pub = threading.Thread(target=self.publish, args=(pb,), daemon=True)
        pub.start()
        t_pub = now()
        # ---- before the kill: receive on A for --before s, then until caught up (at most 5 s more)
        ra.settimeout(0.05)
        deadline = t_pub + a.before
        while now() < deadline:
            if self.receive_until_dropped(ra, deadline):
                out["error"] = "receiver on A dropped before the kill"
                self.stop_publishing.set()
                print(json.dumps(out))
                return 1
        steady = now() + 5
        while now() < steady:
            with self.lock:
                if self.received_upto >= self.confirmed_upto and self.confirmed_upto > 0:
                    break
            self.receive_until_dropped(ra, now() + 0.05)
        with self.lock:
            out["before_kill"] = {"published": self.published, "confirmed": self.confirmed_upto,
                                  "received": self.received_upto, "refused": self.refused}
        # ---- the kill
        t_kill = now()
        os.kill(a.kill_pid, signal.SIGKILL)
        ra.settimeout(0.05)
        dropped = self.receive_until_dropped(ra, t_kill + a.timeout)
        t_drop = now()
        try:
            ra.close(timeout=0.1)
        except (websocket.WebSocketException, OSError):
            pass
        if not dropped:
            out["error"] = "the receiver's connection to A did not drop in %ss" % a.timeout
            self.stop_publishing.set()
            print(json.dumps(out))
            return 1
        with self.lock:
            at_drop = {"published": self.published, "confirmed": self.confirmed_upto,
                       "received": self.received_upto}
        # ---- resume on B: connect at once (a client with --url A,B fails over the same way), or
        # after the back-off
        if a.reconnect_delay > 0:
            time.sleep(a.reconnect_delay / 1000.0)
        t_open = t_first = t_caught = None
        rb = None
        attempts = 0
        while rb is None and now() < t_kill + a.timeout:
            attempts += 1
            try:
                rb = self.connect_receiver(a.url_b, False)
            except (websocket.WebSocketException, OSError):
                time.sleep(0.01)
        if rb is None:
            out["error"] = "could not connect to B"
            self.stop_publishing.set()
            print(json.dumps(out))
            return 1
        t_open = now()
        rb.settimeout(0.2)
        on_b_caught = None
        deadline = t_kill + a.timeout
        backlog_at_first = None
        while now() < deadline:
            try:
                msg = rb.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError) as e:
                out["error"] = "receiver on B: %s" % e
                break
            if not isinstance(msg, bytes):
                continue
            caught = self.got("b", msg)
            if t_first is None:
                t_first = now()
                with self.lock:
                    backlog_at_first = self.confirmed_upto - self.received_upto
            rb.send('{"ack":""}')
            if caught:
                t_caught = now()
                with self.lock:
                    on_b_caught = self.received_on["b"]
                break
        with self.lock:
            at_caught = {"published": self.published, "confirmed": self.confirmed_upto,
                         "received": self.received_upto}
        # ---- drain: stop publishing, then every confirmed packet must arrive
        self.stop_publishing.set()
        pub.join(2)
        time.sleep(0.2)  # the last confirms
        drain = now() + a.drain
        while now() < drain:
            with self.lock:
                if self.received_upto >= self.published or (
                        self.received_upto >= self.confirmed_upto
                        and self.confirmed_upto + self.refused >= self.published):
                    break
            try:
                msg = rb.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except (websocket.WebSocketException, OSError):
                break
            if isinstance(msg, bytes):
                self.got("b", msg)
                rb.send('{"ack":""}')
        with self.lock:
            missing = sum(1 for i in range(1, self.confirmed_upto + 1)
                          if i > self.received_upto and i not in self.received)
            out.update({
                "published": self.published, "confirmed": self.confirmed_upto, "refused": self.refused,
                "refusal_samples": self.refusals,
                "received_distinct": self.received_upto + len(self.received),
                "received_on_a": self.received_on["a"], "received_on_b": self.received_on["b"],
                "repeated": self.repeats, "missing_confirmed": missing,
                "at_drop": at_drop, "at_caught_up": at_caught, "connect_attempts": attempts,
                "backlog_at_first": backlog_at_first, "received_on_b_until_caught_up": on_b_caught,
            })
        ms = lambda t: None if t is None else round(1000 * (t - t_kill), 1)
        out.update({"kill_to_drop_seen_ms": ms(t_drop), "kill_to_open_on_b_ms": ms(t_open),
                    "kill_to_first_ms": ms(t_first), "kill_to_caught_up_ms": ms(t_caught),
                    "first_to_caught_up_ms": None if t_first is None or t_caught is None
                    else round(1000 * (t_caught - t_first), 1)})
        for w in (rb, pb):
            try:
                w.close(timeout=0.2)
            except (websocket.WebSocketException, OSError):
                pass
        print(json.dumps(out))
        return 0 if t_caught is not None and missing == 0 else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url-a", required=True)
    p.add_argument("--url-b", required=True)
    p.add_argument("--kill-pid", type=int, required=True)
    p.add_argument("--session", required=True)
    p.add_argument("--skill", required=True)
    p.add_argument("--rate", type=float, default=1000)
    p.add_argument("--before", type=float, default=3)
    p.add_argument("--reconnect-delay", type=float, default=0)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--drain", type=float, default=10)
    a = p.parse_args()
    if a.rate <= 0:
        p.error("--rate must be > 0")
    sys.exit(Probe(a).run())


if __name__ == "__main__":
    main()
