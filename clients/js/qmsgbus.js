/*
 * qmsgbus.js - a QMsgBus client on plain WebSocket, for browsers and Node.
 *
 * Browser:  <script src="qmsgbus.js"></script>  then  new QMsgBus.QMsgBusClient(url)
 *           (or an array of urls, to fail over between servers: see connect())
 * Node:     const { QMsgBusClient } = require('./qmsgbus.js');
 *           (Node has no global WebSocket before version 22: the `ws` package from
 *           npm is used then; `npm ci` in clients/js installs the pinned version.)
 *
 * The wire contract is PROTOCOL.md. In short:
 *   - data packets are JSON objects with a "skill" key, sent in BINARY frames;
 *     every client registered for that skill gets the exact bytes, in a BINARY frame;
 *   - control packets (register, deregister, buffering, fastpush, ack, get) are
 *     JSON objects sent in TEXT frames;
 *   - the server sends the next packet only after an ACK (unless fast-push is on);
 *   - TEXT frames from the server are replies and errors, never data.
 *
 * Request/reply (PROTOCOL.md section 7): request(skill, payload, {timeout}) publishes
 * {skill, reply: INBOX, id, payload} (INBOX: this connection's private inbox, asked of the server
 * once per connection) and resolves with the answer packet: the first on the inbox with
 * "re" equal to the id. respond(skill, handler) answers such requests with
 * {skill: REPLY, re: ID, payload: handler's result}. Both keep their packets away from onPacket
 * and ACK them themselves.
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.QMsgBus = factory();
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  function defaultWebSocket() {
    if (typeof WebSocket !== 'undefined') {
      return WebSocket; // browsers, Deno, Node >= 22
    }
    if (typeof require === 'function') {
      return require('ws'); // Node < 22: the npm package, same API
    }
    throw new Error('no WebSocket implementation: pass options.WebSocket');
  }

  const encoder = new TextEncoder();
  const decoder = new TextDecoder('utf-8');

  /** The URL with ?session=NAME[&expiry=S][&clean=true] (docs/PROTOCOL.md section 8). */
  function withSession(url, options) {
    let q = 'session=' + encodeURIComponent(options.session);
    if (options.expiry !== undefined) q += '&expiry=' + Math.floor(options.expiry);
    if (options.clean) q += '&clean=true';
    const hasPath = /^wss?:\/\/[^/]+\//.test(url);
    return (hasPath ? url : url + '/') + (url.includes('?') ? '&' : '?') + q;
  }

  class QMsgBusClient {
    /**
     * @param {string|string[]} url e.g. 'ws://127.0.0.1:8081/', or several servers to fail over
     *     between, e.g. ['ws://10.0.0.1:8081/', 'ws://10.0.0.2:8081/'] (see connect())
     * @param {object} [options] { WebSocket: a WebSocket class to use instead of the default;
     *     session: a durable session's name (kept by the server while this client is away, resumed
     *     on the next connect; a close with code 4000 means another connection took it over: do not
     *     reconnect then), the same on every server; expiry: seconds the server keeps it; clean:
     *     true to start it afresh }
     */
    constructor(url, options) {
      const list = Array.isArray(url) ? url.slice() : [url];
      if (list.length === 0) {
        throw new Error('no server url given');
      }
      /** Every server's address, in the order tried. */
      this.urls = options && options.session ? list.map((u) => withSession(u, options)) : list;
      /** The current server's address: connected to, being tried, or last connected to. */
      this.url = this.urls[0];
      this._next = 0; // where the next connect() starts: after the server last connected to
      this.WebSocketImpl = (options && options.WebSocket) || defaultWebSocket();
      this.socket = null;
      this.nextId = 1;
      this.pending = new Map(); // request id -> { resolve, reject, timer }
      this.answers = new Map(); // request(skill, ...) id -> { resolve, reject, timer }
      this.responders = new Map(); // skill -> handler (respond())
      this._inbox = null; // { socket, name: Promise<string>, known: string|null }
      /** Called with (packet, bytes) for each data packet: the parsed object and its exact bytes. */
      this.onPacket = null;
      /** Called with each TEXT frame the server sends (a reply or an error), parsed. */
      this.onReply = null;
      /** Called with (code, reason) when the connection ends. */
      this.onClose = null;
    }

    /**
     * Opens the connection; resolves when it is open, rejects if it cannot be opened.
     *
     * With several urls, tries them in turn, round-robin, starting with the one after the server
     * last connected to (the first url, the first time), and resolves with the first that opens;
     * rejects once each has failed (once). So after a lost connection, connect() again moves on to
     * the next server. Reconnecting, and registering again afterwards (the server forgets a gone
     * client's registrations), is the caller's part, as is any delay between rounds. While
     * failing over, onClose is called only for the last attempt (as with one url).
     */
    connect() {
      const n = this.urls.length;
      const start = this._next;
      const failures = [];
      const attempt = (k) =>
        this._open((start + k) % n, k === n - 1).catch((err) => {
          failures.push(err.message);
          if (k + 1 < n) {
            return attempt(k + 1);
          }
          if (n === 1) {
            throw err;
          }
          throw new Error('cannot connect to any of the ' + n + ' servers: ' + failures.join('; '));
        });
      return attempt(0);
    }

    /** One attempt, at this.urls[index]; onClose is called for a failed one only if it is last. */
    _open(index, last) {
      this.url = this.urls[index];
      return new Promise((resolve, reject) => {
        const url = this.url;
        const socket = new this.WebSocketImpl(url);
        socket.binaryType = 'arraybuffer';
        this.socket = socket;
        let opened = false;
        socket.onopen = () => {
          opened = true;
          this._next = (index + 1) % this.urls.length;
          resolve(this);
        };
        socket.onerror = (event) => {
          if (!opened) {
            reject(new Error('cannot connect to ' + url + ((event && event.message) ? ': ' + event.message : '')));
          }
        };
        socket.onclose = (event) => {
          if (this.socket === socket) {
            for (const entry of this.pending.values()) {
              clearTimeout(entry.timer);
              entry.reject(new Error('connection closed'));
            }
            this.pending.clear();
            for (const entry of this.answers.values()) {
              clearTimeout(entry.timer);
              entry.reject(new Error('connection closed'));
            }
            this.answers.clear();
            this._inbox = null; // it went with the connection
          }
          if (!opened) {
            reject(new Error('cannot connect to ' + url));
          }
          if (this.onClose && (opened || last)) {
            this.onClose(event.code, event.reason);
          }
        };
        socket.onmessage = (event) => this._receive(event.data);
      });
    }

    _receive(data) {
      if (typeof data === 'string') {
        // TEXT: a reply or an error
        let reply;
        try {
          reply = JSON.parse(data);
        } catch (e) {
          reply = { ok: false, error: 'unparsable reply: ' + data };
        }
        if (reply && reply.id !== undefined && this.pending.has(reply.id)) {
          const entry = this.pending.get(reply.id);
          this.pending.delete(reply.id);
          clearTimeout(entry.timer);
          entry.resolve(reply);
        } else if (reply && reply.ok === false && this.answers.has(reply.id)) {
          // a request nobody receives: "no receivers for 'SKILL'"
          this._settle(reply.id, null, new Error(reply.error || 'request refused'));
        }
        if (this.onReply) {
          this.onReply(reply);
        }
        return;
      }
      // BINARY: a data packet, the exact bytes its sender sent
      const bytes = new Uint8Array(data);
      let packet = null;
      try {
        packet = JSON.parse(decoder.decode(bytes));
      } catch (e) {
        packet = null; // not JSON: still handed over, as bytes
      }
      if (packet && typeof packet === 'object' && this._routed(packet)) {
        return;
      }
      if (this.onPacket) {
        this.onPacket(packet, bytes);
      }
    }

    /** True while the connection is open. */
    get connected() {
      return this.socket !== null && this.socket.readyState === 1;
    }

    /** Sends a control packet (an object) in a TEXT frame. */
    control(command) {
      this._ensureOpen();
      this.socket.send(JSON.stringify(command));
    }

    /**
     * Two forms, told apart by the first argument:
     *
     * request(command, timeoutMs): sends a control packet (an object) with a fresh "id" and
     * resolves with the server's reply ({id, ok: true} or {id, ok: false, error}); rejects on
     * timeout or close.
     *
     * request(skill, payload, {timeout}): a request to a skill's responders (see respond()).
     * Publishes {skill, reply: INBOX, id, payload} and resolves with the answer packet (an object:
     * its .payload is the answer), the first on the inbox whose "re" is the id; later answers to it
     * are dropped. Rejects with the server's reason ("no receivers for 'SKILL'", at once) when
     * nobody receives the skill, after timeout ms (default 10000) without an answer, or when the
     * connection closes first.
     */
    request(commandOrSkill, timeoutOrPayload, options) {
      if (typeof commandOrSkill === 'string') {
        return this._request(commandOrSkill, timeoutOrPayload, options);
      }
      const command = commandOrSkill;
      const timeoutMs = timeoutOrPayload;
      const id = 'js-' + this.nextId++;
      const ms = timeoutMs || 10000;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new Error('no reply to ' + JSON.stringify(command) + ' within ' + ms + ' ms'));
        }, ms);
        this.pending.set(id, { resolve, reject, timer });
        try {
          this.control(Object.assign({}, command, { id: id }));
        } catch (e) {
          clearTimeout(timer);
          this.pending.delete(id);
          reject(e);
        }
      });
    }

    _request(skill, payload, options) {
      const ms = (options && options.timeout) || 10000;
      const id = 'js-' + this.nextId++;
      const answer = new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          this.answers.delete(id);
          reject(new Error('no answer from ' + JSON.stringify(skill) + ' within ' + ms + ' ms'));
        }, ms);
        this.answers.set(id, { resolve, reject, timer });
      });
      let socket;
      try {
        this._ensureOpen();
        socket = this.socket;
      } catch (e) {
        this._settle(id, null, e);
        return answer;
      }
      this._inboxOf(socket, ms)
        .then((inbox) => {
          if (this.answers.has(id)) {
            if (this.socket !== socket) {
              throw new Error('connection closed');
            }
            const packet = { skill: skill, reply: inbox, id: id, payload: payload };
            this.sendBytes(encoder.encode(JSON.stringify(packet)));
          }
        })
        .catch((e) => this._settle(id, null, e));
      return answer;
    }

    /** Resolves (with packet) or rejects (with error) request id, if it is still waiting. */
    _settle(id, packet, error) {
      const entry = this.answers.get(id);
      if (!entry) {
        return false;
      }
      this.answers.delete(id);
      clearTimeout(entry.timer);
      if (error) {
        entry.reject(error);
      } else {
        entry.resolve(packet);
      }
      return true;
    }

    /** The private inbox of this socket's connection: asked for once (again if that failed). */
    _inboxOf(socket, timeoutMs) {
      if (this._inbox && this._inbox.socket === socket) {
        return this._inbox.name;
      }
      const box = { socket: socket, name: null, known: null };
      box.name = this.request({ inbox: true }, timeoutMs).then((reply) => {
        if (!reply.ok || typeof reply.inbox !== 'string') {
          throw new Error(reply.error || 'the server gave no inbox: it may not support requests');
        }
        box.known = reply.inbox;
        return reply.inbox;
      });
      box.name.catch(() => {
        if (this._inbox === box) {
          this._inbox = null; // the next request asks again
        }
      });
      this._inbox = box;
      return box.name;
    }

    /** Takes answers to our requests and requests for our responders; true if it took this one. */
    _routed(packet) {
      const box = this._inbox;
      if (box && box.known !== null && packet.skill === box.known) {
        this._settle(packet.re, packet, null); // an answer nobody waits for is dropped
        this._ackQuietly();
        return true;
      }
      const handler = this.responders.get(packet.skill);
      if (!handler) {
        return false;
      }
      if (typeof packet.reply !== 'string') {
        this._ackQuietly(); // not a request: nothing to answer
        return true;
      }
      const socket = this.socket;
      Promise.resolve()
        .then(() => handler(packet.payload, packet))
        .then(
          (result) => {
            if (result !== undefined && this.socket === socket && this.connected) {
              const answer = { skill: packet.reply };
              if (packet.id !== undefined) {
                answer.re = packet.id;
              }
              answer.payload = result;
              this.sendBytes(encoder.encode(JSON.stringify(answer)));
            }
          },
          () => {} // a failing handler answers nothing
        )
        .then(() => this._ackQuietly());
      return true;
    }

    _ackQuietly() {
      if (this.connected) {
        this.ack();
      }
    }

    /**
     * Answers the requests of skill: registers for it and, for each packet of it with a "reply",
     * calls handler(payload, packet) and publishes {skill: REPLY, re: ID, payload: result}, ID the
     * request's id. The result may be a Promise; undefined (or a throw, or a rejection) answers
     * nothing. Packets of skill no longer reach onPacket. Resolves with the server's reply to the
     * registration; rejects if it refused.
     */
    respond(skill, handler) {
      if (typeof handler !== 'function') {
        throw new Error('respond needs a handler function');
      }
      this.responders.set(skill, handler);
      return this.request({ register: skill }).then((reply) => {
        if (!reply.ok) {
          this.responders.delete(skill);
          throw new Error(reply.error || 'register refused');
        }
        return reply;
      });
    }

    register(skills) { this.control({ register: skills }); }
    deregister(skills) { this.control({ deregister: skills }); }
    buffering(on) { this.control({ buffering: !!on }); }
    fastpush(on) { this.control({ fastpush: !!on }); }
    /** Acknowledges the last packet: the server may send the next. */
    ack() { this.control({ ack: '' }); }
    /** Asks for the kept packet again (buffering must be on). */
    get() { this.control({ get: '' }); }

    /** Publishes {skill, payload, ...extra} in a BINARY frame. */
    publish(skill, payload, extra) {
      const packet = Object.assign({ skill: skill, payload: payload }, extra || {});
      this.sendBytes(encoder.encode(JSON.stringify(packet)));
    }

    /** Sends bytes (a Uint8Array holding a JSON data packet) as they are, in a BINARY frame. */
    sendBytes(bytes) {
      this._ensureOpen();
      this.socket.send(bytes);
    }

    /** Closes the connection; resolves when it is closed. */
    close() {
      return new Promise((resolve) => {
        if (!this.socket || this.socket.readyState === 3) {
          resolve();
          return;
        }
        const previous = this.onClose;
        this.onClose = (code, reason) => {
          if (previous) {
            previous(code, reason);
          }
          resolve();
        };
        this.socket.close(1000);
      });
    }

    _ensureOpen() {
      if (!this.connected) {
        throw new Error('not connected');
      }
    }
  }

  return { QMsgBusClient: QMsgBusClient };
});
