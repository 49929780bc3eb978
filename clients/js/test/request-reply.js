#!/usr/bin/env node
// request(skill, payload, {timeout}) and respond(skill, handler) of qmsgbus.js against a real
// server. Run by JavaScriptInteropTest, which also has a Java responder on 'svc.java' and, after
// READY, asks 'svc.js' once from Java.
//
//   node clients/js/test/request-reply.js --port 8081
//
// Prints ANSWER, REFUSED, SILENT, TIMEOUT, CONCURRENT, JAVA_ANSWER, READY, SERVED, then DONE; any packet
// that reaches onPacket is printed as LEAKED. Exit 1 on failure.
'use strict';
const { parseArgs } = require('node:util');
const { QMsgBusClient } = require('../qmsgbus.js');

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QMSGBUS_HOST || '127.0.0.1' },
    port: { type: 'string', default: process.env.QMSGBUS_PORT || '8081' },
  },
});

function fail(message) {
  console.log('ERROR ' + message);
  process.exit(1);
}

async function main() {
  const url = `ws://${opt.host}:${opt.port}/`;
  const responder = new QMsgBusClient(url);
  const requester = new QMsgBusClient(url);
  const silent = new QMsgBusClient(url);
  for (const c of [responder, requester, silent]) {
    c.onPacket = (packet) => {
      // the silent one gets the request it never answers; nothing else belongs here
      console.log((c === silent ? 'SILENT ' : 'LEAKED ') + JSON.stringify(packet));
      c.ack();
    };
    await c.connect();
  }
  let served = 0;
  let servedOne;
  const servedFromJava = new Promise((resolve) => (servedOne = resolve));
  await responder.respond('svc.js', (payload, packet) => {
    if (typeof packet.reply !== 'string' || packet.id === undefined) {
      fail('respond handler got ' + JSON.stringify(packet));
    }
    // an answer may be a Promise
    const result = new Promise((resolve) => setImmediate(() => resolve({ twice: payload * 2 })));
    if (payload === 5) {
      served++;
      // a macrotask: runs after the microtasks in which the client sends the answer
      result.then(() => setImmediate(servedOne));
    }
    return result;
  });

  const answer = await requester.request('svc.js', 21, { timeout: 5000 });
  console.log('ANSWER ' + JSON.stringify(answer.payload) + ' re=' + typeof answer.re);

  try {
    // far longer than the test waits: only the server's answer can end it in time
    await requester.request('svc.none', 1, { timeout: 60000 });
    fail('a request nobody receives was answered');
  } catch (e) {
    console.log('REFUSED ' + e.message);
  }

  await silent.request({ register: 'svc.silent' });
  try {
    await requester.request('svc.silent', 1, { timeout: 300 });
    fail('a request nobody answers was answered');
  } catch (e) {
    console.log('TIMEOUT ' + e.message);
  }

  const n = 50;
  const asks = [];
  for (let i = 0; i < n; i++) {
    asks.push(requester.request('svc.js', i + 10, { timeout: 10000 }));
  }
  const answers = await Promise.all(asks);
  let ok = 0;
  answers.forEach((a, i) => {
    if (a.payload && a.payload.twice === 2 * (i + 10)) {
      ok++;
    }
  });
  console.log('CONCURRENT ok=' + ok + ' of ' + n);

  const fromJava = await requester.request('svc.java', { q: 'js' }, { timeout: 5000 });
  console.log('JAVA_ANSWER ' + JSON.stringify(fromJava.payload));

  console.log('READY');
  await servedFromJava;
  console.log('SERVED ' + served);
  for (const c of [responder, requester, silent]) {
    await c.close();
  }
  console.log('DONE');
}

const timer = setTimeout(() => fail('TIMEOUT of the whole script'), 20000);
main()
  .then(() => {
    clearTimeout(timer);
    process.exit(0);
  })
  .catch((e) => fail(e && e.stack ? e.stack : String(e)));
