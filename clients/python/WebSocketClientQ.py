"""WebSocketClientQ: the QMsgBus client with the API of the original pyQMsgBus.

Programs written the way the original project's README shows work unchanged:

    import collections, json, threading, time
    from WebSocketClientQ import WebSocketClientQ

    q = collections.deque()
    ws = WebSocketClientQ(q, '127.0.0.1', 8081, '/')
    threading.Thread(target=ws.run_forever).start()
    while not (ws.client and ws.client.sock and ws.client.sock.connected):
        time.sleep(0.1)
    ws.emitText(json.dumps({'register': 'skill1'}))
    ws.emitBinary(json.dumps({'skill': 'skill1', 'payload': 'hi'}).encode())

Built on the ``websocket-client`` library (import name ``websocket``; on Debian
the ``python3-websocket`` package, for ``/usr/bin/python3``).

What goes where:

* ``equeue`` (the deque given to the constructor) receives every BINARY frame
  the server sends, as ``bytes``: these are the data packets, byte for byte as
  their sender sent them. Call ``.decode()`` and ``json.loads`` on them.
* TEXT frames are the server's replies and errors (``{"id": 7, "ok": true}``,
  ``{"ok": false, "error": "..."}``, see PROTOCOL.md section 5). They never go
  into ``equeue``, so a seed-style consumer loop only ever sees data packets.
  They are appended, as ``str``, to ``ws.replies`` (a ``collections.deque``)
  and passed to the optional ``on_text`` callback; error replies are also
  logged as warnings on the ``qmsgbus`` logger.

Differences from the original module, none of which changes its API:

* ``on_close`` accepts the (status, reason) arguments that websocket-client 1.x
  passes, as well as none (0.x).
* An error does not replace ``ws.client`` with a fresh, never-started
  ``WebSocketApp`` (the original did, which left ``emitText`` returning False
  for ever). ``run_forever`` returns when the connection ends; to reconnect,
  make a new ``WebSocketClientQ`` (or call ``failover()``, below, and
  ``run_forever`` again), and register again: the server forgets a gone
  client's registrations.
* ``emitBinary`` accepts ``str`` too (encoded as UTF-8), ``emitText`` accepts
  ``bytes`` too (they must be UTF-8).

Security (optional keyword arguments; the positional API is unchanged):

* ``sslopt``: connect over TLS (``wss://``); the dict goes to websocket-client
  as is, e.g. ``sslopt={"ca_certs": "cert.pem"}`` to trust a server's own
  certificate (``{}`` trusts the system's certificate authorities).
* ``header``: extra handshake headers, e.g.
  ``header=["Authorization: Bearer " + token]`` for a server that requires
  authentication.

    ws = WebSocketClientQ(q, 'bus.example.com', 8443, '/',
                          sslopt={'ca_certs': 'cert.pem'},
                          header=['Authorization: Bearer ' + token])

Failover (optional keyword arguments; the positional API is unchanged):

* ``servers``: several servers, a list of ``(host, port)`` pairs, to move
  between. The first connection goes to the positional ``(host, port)`` if
  given (put first in the list if it is not in it), else to ``servers[0]``.
  Path, TLS options, headers and a named session (the same ``?session=`` on
  every server) are shared by all.
* ``failover()``: after ``run_forever`` has returned (the connection ended, or
  could not be opened), moves to the next server in the list, round-robin, and
  prepares a fresh connection: call ``run_forever`` again to connect to it.
  With a single server it reconnects to the same one. ``ws.url`` is the
  current server's address. Reconnecting stays the caller's loop, as is the
  delay between attempts (wait after each full round of failures, not after
  every server).
* ``on_open``: called with no arguments each time a connection opens, on the
  ``run_forever`` thread: the place to register (again) after a failover.

    def registered():
        ws.emitText(json.dumps({'register': 'skill1'}))

    ws = WebSocketClientQ(q, None, None, '/',
                          servers=[('10.0.0.1', 8081), ('10.0.0.2', 8081)],
                          on_open=registered)
    def run():
        tried = 0
        while True:
            ws.run_forever()   # returns when the connection ends or fails
            tried = 0 if ws.was_connected else tried + 1
            ws.failover()      # the next server; registered() runs once it is open
            if tried >= len(ws.servers):
                time.sleep(1)  # every server failed once: back off
                tried = 0
    threading.Thread(target=run).start()
"""

import collections
import json
import logging
import socket
import threading
import traceback
import urllib.parse

import websocket

__all__ = ["WebSocketClientQ"]

_log = logging.getLogger("qmsgbus")


class WebSocketClientQ(object):
    """One connection to the bus; received data packets are appended to ``equeue``."""

    def __init__(self, equeue, host, port, path, on_text=None, header=None, sslopt=None,
                 session=None, expiry=None, clean=False, servers=None, on_open=None):
        # the servers to fail over between, and which one is in use (see failover())
        self.servers, self.server_index = self._server_list(host, port, servers)
        self.host, self.port = self.servers[self.server_index]
        self.path = path or "/"
        # a durable session (an extension): the name rides on the path, as '/?session=NAME'
        # would; the seed's positional call is unchanged
        if session is not None:
            query = "session=" + urllib.parse.quote(session, safe="")
            if expiry is not None:
                query += "&expiry=%d" % int(expiry)
            if clean:
                query += "&clean=true"
            self.path += ("&" if "?" in self.path else "?") + query
        self.equeue = equeue
        # wss:// when sslopt is given (even {}); handshake headers, e.g. Authorization.
        self.sslopt = sslopt
        self.header = list(header) if header else None
        # TEXT frames from the server (replies and errors), oldest first.
        self.replies = collections.deque()
        self.on_text = on_text
        self.on_open_callback = on_open
        # whether the current connection object ever opened (see failover())
        self.was_connected = False
        self.create_url()
        self.client = self.create_client()

    @staticmethod
    def _server_list(host, port, servers):
        if not servers:
            return [(host or "", port or 0)], 0
        listed = []
        for entry in servers:
            h, p = entry
            if (h, int(p)) not in listed:
                listed.append((h, int(p)))
        if not host:
            return listed, 0
        first = (host, int(port or 0))
        if first not in listed:
            listed.insert(0, first)
        return listed, listed.index(first)

    def failover(self):
        """Move to the next server in ``servers`` (round-robin) with a fresh connection object.

        Call it once ``run_forever`` has returned, then call ``run_forever``
        again to connect; register again once connected (``on_open``). With a
        single server it reconnects to the same one. Returns the new URL.
        """
        old = self.client
        self.server_index = (self.server_index + 1) % len(self.servers)
        self.host, self.port = self.servers[self.server_index]
        self.create_url()
        self.was_connected = False
        self.client = self.create_client()
        if old is not None and old.sock is not None and old.sock.connected:
            old.close()  # still open (failover() called early): this one is done with
        return self.url

    def create_url(self):
        host = self.host
        if ":" in host and not host.startswith("["):
            host = "[" + host + "]"  # an IPv6 literal
        path = self.path if self.path.startswith("/") else "/" + self.path
        scheme = "wss://" if self.sslopt is not None else "ws://"
        self.url = scheme + host + ":" + str(self.port) + path

    def create_client(self):
        return websocket.WebSocketApp(
            self.url,
            header=self.header,
            on_message=self.on_message,
            on_open=self.on_open,
            on_close=self.on_close,
            on_error=self.on_error,
        )

    # -- callbacks, run on the run_forever thread ---------------------------

    def on_open(self, ws):
        _log.info("WebSocketClient: connected to %s", self.url)
        self.was_connected = True
        if self.on_open_callback is not None:
            self.on_open_callback()

    def on_close(self, ws, *args):
        _log.info("WebSocketClient: closed %s", args)

    def on_error(self, ws, err):
        _log.warning("WebSocketClient: error: %r", err)

    def on_message(self, ws, msg):
        if isinstance(msg, (bytes, bytearray)):
            # A BINARY frame: a data packet. This is all the deque ever gets.
            self.equeue.append(bytes(msg))
            return
        # A TEXT frame: a reply or an error from the server, never data.
        self.replies.append(msg)
        try:
            reply = json.loads(msg)
        except ValueError:
            reply = None
        if isinstance(reply, dict) and reply.get("ok") is False:
            _log.warning("WebSocketClient: server says: %s", msg)
        if self.on_text is not None:
            self.on_text(msg)

    # -- the seed's API ------------------------------------------------------

    def _connected(self):
        return bool(self.client and self.client.sock and self.client.sock.connected)

    def emitBinary(self, msg):
        """Send ``msg`` in a BINARY frame (data packets). True if it was sent."""
        try:
            if not self._connected():
                return False
            if isinstance(msg, str):
                msg = msg.encode("utf-8")
            self.client.send(msg, websocket.ABNF.OPCODE_BINARY)
            return True
        except Exception:
            _log.warning("WebSocketClient: emitBinary failed: %s", traceback.format_exc())
            return False

    def emitText(self, msg):
        """Send ``msg`` in a TEXT frame (control packets). True if it was sent."""
        try:
            if not self._connected():
                return False
            if isinstance(msg, (bytes, bytearray)):
                msg = bytes(msg).decode("utf-8")
            self.client.send(msg, websocket.ABNF.OPCODE_TEXT)
            return True
        except Exception:
            _log.warning("WebSocketClient: emitText failed: %s", traceback.format_exc())
            return False

    def run_forever(self, **kwargs):
        """Connect and read until the connection ends; run it in a thread.

        Keyword arguments go to ``websocket.WebSocketApp.run_forever``
        (e.g. ``ping_interval=30``). The constructor's ``sslopt`` is passed
        unless ``sslopt`` is given here.
        """
        if self.sslopt is not None and "sslopt" not in kwargs:
            kwargs["sslopt"] = self.sslopt
        return self.client.run_forever(**kwargs)

    def close(self):
        """Close the connection; ``run_forever`` then returns.

        Sends the close frame and lets ``run_forever``'s thread read the server's
        answering close frame and end (closing the socket from this thread
        instead would leave that thread waiting in select() for up to 10 s).
        If no answer comes within 3 s, the socket is shut down.
        """
        app = self.client
        sock = app.sock if app else None
        if sock is not None and sock.connected:
            try:
                sock.send_close()
                timer = threading.Timer(3.0, self._force_close, args=(app,))
                timer.daemon = True
                timer.start()
                return
            except Exception:
                pass  # could not send it: close the hard way
        if app:
            app.close()

    @staticmethod
    def _force_close(app):
        app.keep_running = False
        sock = app.sock
        if sock is not None and sock.sock is not None:
            try:
                sock.sock.shutdown(socket.SHUT_RDWR)  # wakes run_forever's select()
            except OSError:
                pass

    # The original module's aliases.
    def run(self):
        return self.run_forever()

    def join(self):
        self.close()
