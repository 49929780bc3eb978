// QMsgBus console: polls the admin JSON API once a second and draws the page.
// Plain JavaScript, no framework, no network access beyond this admin port and the bus.
// Everything that comes from the bus (skills, addresses, payloads) is set with textContent.
"use strict";

(function () {
  const POLL_MS = 1000;
  const WINDOW_SECONDS = 120;

  const $ = (id) => document.getElementById(id);

  // ---------------------------------------------------------------- formatting

  const nf = new Intl.NumberFormat("en-US");
  function fmtInt(n) { return nf.format(Math.round(n)); }
  function fmtCompact(n) {
    const a = Math.abs(n);
    if (a >= 1e9) return (n / 1e9).toFixed(a >= 1e10 ? 0 : 1) + "G";
    if (a >= 1e6) return (n / 1e6).toFixed(a >= 1e7 ? 0 : 1) + "M";
    if (a >= 1e4) return (n / 1e3).toFixed(a >= 1e5 ? 0 : 1) + "k";
    return fmtInt(n);
  }
  function fmtRate(r) {
    if (r === 0) return "0";
    if (r < 10) return r.toFixed(1);
    return fmtCompact(r);
  }
  function fmtBytes(b) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (b >= 1024 && i < units.length - 1) { b /= 1024; i++; }
    return (i === 0 ? String(Math.round(b)) : b.toFixed(b < 10 ? 1 : 0)) + " " + units[i];
  }
  function fmtDuration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600);
    const m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
    if (d) return d + "d " + h + "h";
    if (h) return h + "h " + m + "m";
    if (m) return m + "m " + s + "s";
    return s + "s";
  }
  function fmtMillis(ms) {
    if (ms < 1) return ms.toFixed(2) + " ms";
    if (ms < 100) return ms.toFixed(1) + " ms";
    if (ms < 10000) return Math.round(ms) + " ms";
    return (ms / 1000).toFixed(1) + " s";
  }
  function fmtAge(ms) {
    if (ms < 0) return "never";
    if (ms < 1000) return ms + " ms";
    return fmtDuration(ms / 1000) + " ago";
  }

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function setText(id, text) { const e = $(id); if (e.textContent !== text) e.textContent = text; }

  // ---------------------------------------------------------------- sortable tables

  function sortable(table, state, onChange) {
    const heads = table.tHead.rows[0].cells;
    for (const th of heads) {
      th.addEventListener("click", () => {
        const key = th.dataset.key;
        if (state.key === key) state.dir = -state.dir;
        else { state.key = key; state.dir = th.classList.contains("text") ? 1 : -1; }
        onChange();
      });
    }
    return function mark() {
      for (const th of heads) {
        const on = th.dataset.key === state.key;
        th.classList.toggle("sorted", on);
        th.classList.toggle("asc", on && state.dir > 0);
        th.classList.toggle("desc", on && state.dir < 0);
        th.setAttribute("aria-sort", on ? (state.dir > 0 ? "ascending" : "descending") : "none");
      }
    };
  }
  function sortRows(rows, state) {
    const k = state.key, dir = state.dir;
    return rows.slice().sort((a, b) => {
      let x = a[k], y = b[k];
      if (typeof x === "boolean") { x = x ? 1 : 0; y = y ? 1 : 0; }
      const c = typeof x === "string" ? x.localeCompare(y) : x - y;
      return c !== 0 ? c * dir : a._tie - b._tie;
    });
  }
  function num(value, cls) {
    const td = el("td", cls, typeof value === "number" ? fmtInt(value) : value);
    if (value === 0) td.classList.add("zero");
    return td;
  }

  // ---------------------------------------------------------------- chart

  const series = []; // {t, in, out, dropped}

  function niceMax(v) {
    if (v <= 0) return 5;
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function drawChart() {
    const canvas = $("chart");
    const box = canvas.parentElement.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(200, Math.floor(box.width)), h = Math.max(120, Math.floor(box.height));
    if (canvas.width !== w * dpr || canvas.height !== h * dpr) {
      canvas.width = w * dpr;
      canvas.height = h * dpr;
    }
    const g = canvas.getContext("2d");
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);

    const css = getComputedStyle(document.documentElement);
    const color = (name) => css.getPropertyValue(name).trim();
    const left = 52, right = 14, top = 10, bottom = 24;
    const pw = w - left - right, ph = h - top - bottom;
    const now = series.length ? series[series.length - 1].t : Date.now();
    const t0 = now - WINDOW_SECONDS * 1000;
    const visible = series.filter((p) => p.t >= t0 - 1000);
    let max = 0;
    for (const p of visible) max = Math.max(max, p.in, p.out, p.dropped);
    const ymax = niceMax(max * 1.1);
    const x = (t) => left + (t - t0) / (WINDOW_SECONDS * 1000) * pw;
    const y = (v) => top + ph - v / ymax * ph;

    // grid and labels
    g.font = "11px system-ui, sans-serif";
    g.textBaseline = "middle";
    g.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = ymax * i / 4, yy = Math.round(y(v)) + 0.5;
      g.strokeStyle = i === 0 ? "#2b3647" : "#1d2633";
      g.beginPath(); g.moveTo(left, yy); g.lineTo(left + pw, yy); g.stroke();
      g.fillStyle = color("--faint");
      g.textAlign = "right";
      g.fillText(fmtRate(v), left - 8, yy);
    }
    g.textAlign = "center";
    g.textBaseline = "alphabetic";
    for (let s = WINDOW_SECONDS; s >= 0; s -= 30) {
      const xx = x(now - s * 1000);
      g.fillStyle = color("--faint");
      g.fillText(s === 0 ? "now" : "-" + s + "s", Math.min(Math.max(xx, left + 12), left + pw - 12), h - 6);
    }
    if (visible.length < 2) {
      g.fillStyle = color("--muted");
      g.textAlign = "center";
      g.fillText("collecting…", left + pw / 2, top + ph / 2);
      return;
    }

    g.save();
    g.beginPath(); g.rect(left, top - 2, pw, ph + 4); g.clip();
    const line = (key, stroke, fill) => {
      g.beginPath();
      visible.forEach((p, i) => { const xx = x(p.t), yy = y(p[key]); if (i) g.lineTo(xx, yy); else g.moveTo(xx, yy); });
      if (fill) {
        const last = visible[visible.length - 1];
        g.lineTo(x(last.t), y(0)); g.lineTo(x(visible[0].t), y(0)); g.closePath();
        const grad = g.createLinearGradient(0, top, 0, top + ph);
        grad.addColorStop(0, fill); grad.addColorStop(1, "rgba(0,0,0,0)");
        g.fillStyle = grad; g.fill();
        g.beginPath();
        visible.forEach((p, i) => { const xx = x(p.t), yy = y(p[key]); if (i) g.lineTo(xx, yy); else g.moveTo(xx, yy); });
      }
      g.strokeStyle = stroke; g.lineWidth = 2; g.lineJoin = "round"; g.stroke();
      const last = visible[visible.length - 1];
      g.fillStyle = stroke; g.beginPath(); g.arc(x(last.t), y(last[key]), 3, 0, Math.PI * 2); g.fill();
    };
    // drops underneath, so a quiet bus shows the in-line along the bottom, not the red one
    if (visible.some((p) => p.dropped > 0)) line("dropped", color("--drop"), null);
    line("out", color("--out"), "rgba(167, 139, 250, 0.10)");
    line("in", color("--in"), "rgba(45, 212, 191, 0.22)");
    g.restore();
  }

  function addPoint(p) {
    if (series.length && p.t <= series[series.length - 1].t) return;
    series.push(p);
    const cut = p.t - (WINDOW_SECONDS + 5) * 1000;
    while (series.length && series[0].t < cut) series.shift();
  }

  // ---------------------------------------------------------------- overview

  let wsUrl = null;
  let tryUrlTouched = false;

  function busUrl(url) {
    // a bus bound to every interface reports 0.0.0.0 or [::]: reach it where this page came from
    try {
      const u = new URL(url);
      if (u.hostname === "0.0.0.0" || u.hostname === "[::]" || u.hostname === "::") u.hostname = location.hostname;
      return u.toString();
    } catch (e) { return url; }
  }

  function renderStats(s) {
    wsUrl = busUrl(s.wsUrl);
    setText("ws-url", wsUrl);
    if (!tryUrlTouched && $("try-url").value !== wsUrl) $("try-url").value = wsUrl;
    setText("uptime", fmtDuration(s.uptimeSeconds));
    const status = $("status");
    status.className = "pill " + (s.ready ? "ok" : "warn");
    status.textContent = s.ready ? "ready" : "not accepting";

    const c = s.connections;
    setText("m-connections", fmtInt(c.current));
    setText("m-connections-sub", fmtInt(c.total) + " opened · max " + fmtCompact(c.max));
    setText("rate-in", fmtRate(s.rates.in));
    setText("m-in-sub", fmtInt(s.packets.in) + " total · " + fmtBytes(s.rates.bytesIn) + "/s");
    setText("rate-out", fmtRate(s.rates.out));
    // bytes out: shown once the server counts them
    setText("m-out-sub", fmtInt(s.packets.sent) + " total" + (s.bytes.out > 0 ? " · " + fmtBytes(s.rates.bytesOut) + "/s" : ""));
    setText("m-dropped", fmtInt(s.packets.dropped));
    $("m-dropped").classList.toggle("nonzero", s.packets.dropped > 0);
    setText("m-dropped-sub", fmtRate(s.rates.dropped) + "/s now · " + fmtInt(s.packets.unrouted) + " unrouted");
    setText("m-queued", fmtInt(s.queues.packets));
    setText("m-queued-sub", fmtBytes(s.queues.bytes) + " · deepest " + fmtInt(s.queues.maxDepth));
    $("m-queued-sub").title = fmtInt(s.queues.inFlight) + " client(s) with a packet in flight";
    const a = s.ackLatency;
    setText("m-ack", a.count ? fmtMillis(a.p50Millis) : "–");
    setText("m-ack-sub", a.count ? "p99 " + fmtMillis(a.p99Millis) + " · " + fmtCompact(a.count) + " acks" : "no acks yet");
    const e = s.errors;
    setText("m-errors", fmtInt(e.badInput + e.rateLimited + e.refused));
    setText("m-errors-sub", fmtInt(e.badInput) + " bad · " + fmtInt(e.rateLimited) + " limited · " + fmtInt(e.refused) + " refused");
    $("m-errors-sub").title = fmtInt(e.badInput) + " bad input, " + fmtInt(e.rateLimited) + " rate limited, " + fmtInt(e.refused) + " connections refused";

    if (s.history) for (const p of s.history) addPoint({ t: p.t, in: p.in, out: p.out, dropped: p.dropped });
    addPoint({ t: s.rates.atMillis, in: s.rates.in, out: s.rates.out, dropped: s.rates.dropped });
    drawChart();
  }

  // ---------------------------------------------------------------- skills

  const skillSort = { key: "rateIn", dir: -1 };
  let skills = [];
  const markSkills = sortable($("skills-table"), skillSort, () => renderSkills());

  function renderSkills(list) {
    if (list) skills = list.map((s, i) => Object.assign({ _tie: i }, s));
    markSkills();
    const rows = sortRows(skills, skillSort);
    const maxRate = Math.max(1, ...rows.map((s) => Math.max(s.rateIn, s.rateOut)));
    const tbody = $("skills-table").tBodies[0];
    const frag = document.createDocumentFragment();
    for (const s of rows) {
      const tr = el("tr");
      tr.dataset.skill = s.name;
      if (s.dropped > 0) tr.classList.add("dropping");
      const name = el("td", "text");
      name.appendChild(el("span", "chip", s.name));
      tr.appendChild(name);
      tr.appendChild(num(s.receivers, "strong"));
      const rate = el("td", "rate-in");
      const cell = el("span", "bar-cell");
      const bar = el("span", "bar");
      const fill = el("i");
      fill.style.width = Math.min(100, s.rateIn / maxRate * 100) + "%";
      bar.appendChild(fill);
      cell.appendChild(bar);
      cell.appendChild(el("span", s.rateIn ? "" : "zero", fmtRate(s.rateIn)));
      rate.appendChild(cell);
      tr.appendChild(rate);
      const out = el("td", "rate-out", fmtRate(s.rateOut));
      if (!s.rateOut) out.classList.add("zero");
      tr.appendChild(out);
      tr.appendChild(num(s.in));
      tr.appendChild(num(s.out));
      tr.appendChild(num(s.dropped, s.dropped ? "num-drop" : ""));
      tr.appendChild(num(s.unrouted));
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
    setText("skills-count", skills.length ? skills.length + (skills.length === 1 ? " skill" : " skills") : "");
    $("skills-empty").hidden = skills.length > 0;
  }

  // ---------------------------------------------------------------- clients

  const clientSort = { key: "id", dir: 1 };
  let clients = [];
  let clientsTotal = 0;
  const markClients = sortable($("clients-table"), clientSort, () => renderClients());
  $("client-filter").addEventListener("input", () => renderClients());

  function flagsOf(c) {
    const f = [];
    if (c.buffering) f.push("buffering");
    if (c.fastpush) f.push("fastpush");
    if (c.inFlight) f.push("in-flight");
    return f;
  }

  function renderClients(data) {
    if (data) {
      clientsTotal = data.count;
      clients = data.clients.map((c, i) => Object.assign({
        _tie: i,
        skillsText: c.skills.join(" "),
        flagsText: flagsOf(c).join(" "),
      }, c));
    }
    markClients();
    const terms = $("client-filter").value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const match = (c) => terms.every((t) => (
      "#" + c.id + " " + c.id + " " + c.remoteAddress + " " + c.skillsText + " " + c.flagsText).toLowerCase().includes(t));
    const rows = sortRows(clients.filter(match), clientSort);
    const maxQ = Math.max(10, ...rows.map((c) => c.queued));
    const tbody = $("clients-table").tBodies[0];
    const frag = document.createDocumentFragment();
    for (const c of rows) {
      const tr = el("tr");
      tr.dataset.id = String(c.id);
      if (c.dropped > 0) tr.classList.add("dropping");
      else if (c.queued >= 100) tr.classList.add("hot");
      tr.appendChild(el("td", "id", "#" + c.id));
      tr.appendChild(el("td", "text addr", c.remoteAddress.replace(/^\//, "")));
      const sk = el("td", "text skills");
      if (c.skills.length) for (const s of c.skills) sk.appendChild(el("span", "chip", s));
      else sk.appendChild(el("span", "none", "—"));
      tr.appendChild(sk);
      const fl = el("td", "text flags");
      if (c.buffering) fl.appendChild(el("span", "badge buf", "BUF"));
      if (c.fastpush) fl.appendChild(el("span", "badge fast", "FAST"));
      if (!c.buffering && !c.fastpush) fl.appendChild(el("span", "none", "—"));
      tr.appendChild(fl);
      const q = el("td", "queue");
      const cell = el("span", "bar-cell");
      const bar = el("span", "bar q" + (c.dropped > 0 ? " full" : ""));
      const fill = el("i");
      fill.style.width = Math.min(100, c.queued / maxQ * 100) + "%";
      bar.appendChild(fill);
      cell.appendChild(bar);
      cell.appendChild(el("span", c.queued ? "strong" : "zero", fmtInt(c.queued)));
      q.appendChild(cell);
      tr.appendChild(q);
      tr.appendChild(el("td", c.queuedBytes ? "" : "zero", fmtBytes(c.queuedBytes)));
      const inflight = el("td", "inflight");
      inflight.appendChild(c.inFlight ? el("span", "badge flight", "YES") : el("span", "none", "no"));
      tr.appendChild(inflight);
      tr.appendChild(num(c.sent));
      tr.appendChild(num(c.acked));
      tr.appendChild(num(c.dropped, c.dropped ? "num-drop" : ""));
      tr.appendChild(el("td", c.lastAckAgeMillis < 0 ? "zero" : "", fmtAge(c.lastAckAgeMillis)));
      tr.appendChild(el("td", "", fmtDuration(c.connectedSeconds)));
      frag.appendChild(tr);
    }
    tbody.replaceChildren(frag);
    let count = fmtInt(clientsTotal) + (clientsTotal === 1 ? " client" : " clients");
    if (rows.length !== clients.length) count = fmtInt(rows.length) + " of " + count;
    if (data && data.truncated) count += " (first " + fmtInt(clients.length) + " listed)";
    setText("clients-count", count);
    $("clients-empty").hidden = rows.length > 0;
    $("clients-empty").textContent = clients.length ? "No clients match the filter." : "No clients connected.";
  }

  // ---------------------------------------------------------------- polling

  let firstPoll = true;

  async function getJson(path) {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 5000);
    try {
      const r = await fetch(path, { cache: "no-store", signal: ctl.signal });
      if (!r.ok) throw new Error(path + ": HTTP " + r.status);
      return await r.json();
    } finally {
      clearTimeout(timer);
    }
  }

  function renderSessions(data) {
    setText("sessions-count", data.total ? "(" + fmtInt(data.total) + ")" : "");
    const body = $("sessions-table").tBodies[0];
    body.replaceChildren();
    for (const s of data.sessions) {
      const tr = el("tr");
      tr.append(el("td", "text", s.name), el("td", "text", s.owner || "-"),
        el("td", "text", s.attached ? "attached " + s.remoteAddress : "detached"),
        el("td", "text", s.skills.join(" ")), num(s.queued), el("td", "num", fmtBytes(s.queuedBytes)),
        el("td", "num", s.expiresInSeconds < 0 ? "-" : fmtDuration(s.expiresInSeconds)));
      const td = el("td");
      const b = el("button", "danger", "Delete");
      b.title = "End this session for good: its queue and stored state go";
      b.addEventListener("click", async () => {
        if (!window.confirm("Delete session " + s.name + " and its " + s.queued + " queued packet(s)?")) return;
        await fetch("api/sessions/" + encodeURIComponent(s.name), { method: "DELETE" });
        tr.remove();
      });
      td.append(b);
      tr.append(td);
      body.append(tr);
    }
    $("sessions-empty").hidden = data.sessions.length > 0;
  }

  function renderCluster(data) {
    $("cluster-panel").hidden = false;
    setText("cluster-summary", "(" + data.nodes.length + " node" + (data.nodes.length === 1 ? "" : "s")
      + ", this one: " + data.node + ", Redis " + data.link + ", " + fmtInt(data.gapPackets) + " lost in gaps)");
    const body = $("cluster-table").tBodies[0];
    body.replaceChildren();
    const now = Date.now();
    for (const n of data.nodes) {
      const tr = el("tr");
      const link = el("td", "text", n.redis);
      link.className = "text " + (n.redis === "up" ? "good" : "bad");
      tr.append(el("td", "text", n.name + (n.name === data.node ? " (this)" : "")), el("td", "text", n.url),
        link, num(n.clients), num(n.skills), num(n.inPerSecond), num(n.outPerSecond),
        el("td", "num", fmtAge(now - n.updatedAt)));
      body.append(tr);
    }
  }

  async function poll() {
    try {
      const [stats, sk, cl] = await Promise.all([
        getJson(firstPoll ? "api/stats?history=1" : "api/stats"),
        getJson("api/skills?limit=100"), // the first page; the API pages with ?offset=
        getJson("api/clients?limit=100"),
      ]);
      getJson("api/sessions?limit=100").then(renderSessions, () => {});
      getJson("api/cluster").then(renderCluster, () => { $("cluster-panel").hidden = true; });
      firstPoll = false;
      renderStats(stats);
      renderSkills(sk.skills);
      renderClients(cl);
      setText("updated", "updated " + new Date().toLocaleTimeString());
    } catch (e) {
      const status = $("status");
      status.className = "pill bad";
      status.textContent = "admin unreachable";
    } finally {
      setTimeout(poll, POLL_MS);
    }
  }

  window.addEventListener("resize", drawChart);

  // ---------------------------------------------------------------- try it

  let ws = null;
  let nextId = 1;
  let registerId = 0;
  const decoder = new TextDecoder();

  function tryStatus(cls, text) {
    const s = $("try-status");
    s.className = "pill " + cls;
    s.textContent = text;
  }

  function log(kind, text) {
    const list = $("try-log");
    const li = el("li", kind);
    li.appendChild(el("time", null, new Date().toLocaleTimeString()));
    li.appendChild(el("span", "dir", kind === "rx" ? "←" : kind === "tx" ? "→" : kind === "err" ? "!" : "·"));
    li.appendChild(el("span", "msg", text));
    list.appendChild(li);
    while (list.children.length > 200) list.removeChild(list.firstChild);
    list.scrollTop = list.scrollHeight;
  }

  function setConnected(on) {
    const b = $("try-connect");
    b.textContent = on ? "Disconnect" : "Connect & register";
    b.classList.toggle("stop", on);
    $("try-publish").disabled = !on;
  }

  function connect() {
    const url = $("try-url").value.trim() || wsUrl;
    const skill = $("try-skill").value.trim();
    const token = $("try-token").value.trim();
    if (!url) { log("err", "no bus URL yet"); return; }
    let socket;
    try {
      // a browser cannot set headers on a WebSocket: a bus with authentication takes ?token=
      let target = url;
      if (token) { const u = new URL(url); u.searchParams.set("token", token); target = u.toString(); }
      socket = new WebSocket(target);
    } catch (e) {
      log("err", "cannot connect: " + e.message);
      return;
    }
    ws = socket;
    socket.binaryType = "arraybuffer";
    tryStatus("pending", "connecting…");
    setConnected(true);
    socket.onopen = () => {
      if (!skill) { tryStatus("ok", "connected"); log("sys", "connected to " + url); return; }
      registerId = nextId++;
      const msg = JSON.stringify({ register: skill, id: registerId });
      socket.send(msg); // a TEXT frame: control packets go as text
      log("tx", msg);
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data === "string") {
        // replies and errors come as TEXT
        let reply = null;
        try { reply = JSON.parse(ev.data); } catch (e) { /* shown raw below */ }
        if (reply && reply.id === registerId && reply.ok) {
          tryStatus("ok", "registered: " + skill);
          log("sys", "registered for " + skill);
        } else if (reply && reply.ok === false) {
          log("err", "server: " + (reply.error || ev.data));
        } else {
          log("sys", "server: " + ev.data);
        }
        return;
      }
      // data packets come as BINARY; ack each one so the next is sent
      log("rx", decoder.decode(ev.data));
      socket.send(JSON.stringify({ ack: "" }));
    };
    socket.onerror = () => log("err", "WebSocket error: is the bus reachable at " + url + "?"
        + " (a bus with authentication needs a token, and this page's origin in its allowed origins)");
    socket.onclose = (ev) => {
      if (ws === socket) ws = null;
      setConnected(false);
      tryStatus("idle", "not connected");
      log("sys", "closed" + (ev.code ? " (" + ev.code + (ev.reason ? " " + ev.reason : "") + ")" : ""));
    };
  }

  function publish() {
    if (!ws || ws.readyState !== WebSocket.OPEN) { log("err", "not connected"); return; }
    const skill = $("try-pub-skill").value.trim();
    if (!skill) { log("err", "which skill? fill in 'Publish to skill'"); return; }
    const raw = $("try-payload").value;
    let payload;
    try { payload = JSON.parse(raw); } catch (e) { payload = raw; }
    const msg = JSON.stringify({ skill: skill, payload: payload });
    ws.send(msg);
    log("tx", msg);
  }

  $("try-connect").addEventListener("click", () => {
    if (ws) { ws.close(1000, "bye"); } else { connect(); }
  });
  $("try-publish").addEventListener("click", publish);
  $("try-payload").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) publish();
  });
  $("try-url").addEventListener("input", () => { tryUrlTouched = true; });
  $("try-clear").addEventListener("click", () => $("try-log").replaceChildren());

  renderSkills([]);
  renderClients({ count: 0, truncated: false, clients: [] });
  drawChart();
  poll();
})();
