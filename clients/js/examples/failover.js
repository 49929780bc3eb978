#!/usr/bin/env node
// A receiver given several servers: new QMsgBusClient([url1, url2, ...]). It registers, and when
// the connection ends it calls connect() again, which moves on to the next server, and registers
// there again (the caller's reconnect loop, see connect() in qmsgbus.js). Run by
// JavaScriptFailoverInteropTest.
//
//   node clients/js/examples/failover.js --url ws://127.0.0.1:8081/ --url ws://127.0.0.1:9081/ --count 1
//
// Options: --url U (repeatable; --host/--port are accepted and ignored once a --url is given),
// --skill S (default skill1), --count N (stop after N packets), --timeout SEC (default 30).
// Prints "READY <url>" each time it is registered on a server, "CLOSED <code>" when a connection
// ends, "RETRY <error>" when a whole round of servers failed, "RECEIVED <packet JSON>" per packet,
// then "DONE received=N" (exit 0), or "TIMEOUT received=N" (exit 3); exit 2 on other failures.
'use strict';
const { parseArgs } = require('node:util');
const { QMsgBusClient } = require('../qmsgbus.js');

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8081' },
    url: { type: 'string', multiple: true },
    skill: { type: 'string', default: 'skill1' },
    count: { type: 'string', default: '1' },
    timeout: { type: 'string', default: '30' },
  },
});

async function main() {
  const urls = opt.url && opt.url.length > 0 ? opt.url : [`ws://${opt.host}:${opt.port}/`];
  const count = Number(opt.count);
  let received = 0;
  let finished = false;
  let finish;
  const outcome = new Promise((resolve) => {
    finish = resolve;
  });
  setTimeout(() => finish('TIMEOUT'), Number(opt.timeout) * 1000).unref();

  // --- example: fail over (begin) ---
  const bus = new QMsgBusClient(urls); // e.g. ['ws://10.0.0.1:8081/', 'ws://10.0.0.2:8081/']
  bus.onPacket = (packet) => {
    received++;
    console.log('RECEIVED ' + JSON.stringify(packet));
    bus.ack();
    if (received >= count) {
      finish('DONE');
    }
  };

  let up = false;
  async function connectAndRegister() {
    for (;;) {
      try {
        await bus.connect(); // the first url; after a lost connection, the next one
        break;
      } catch (err) {
        console.log('RETRY ' + err.message);
        await new Promise((resolve) => setTimeout(resolve, 100)); // back off once per round
      }
    }
    up = true;
    const reply = await bus.request({ register: opt.skill });
    if (!reply.ok) {
      throw new Error('register refused: ' + reply.error);
    }
    console.log('READY ' + bus.url);
  }
  bus.onClose = (code) => {
    if (!up || finished) {
      return; // a failed attempt (connect() reports it) or our own close
    }
    up = false;
    console.log('CLOSED ' + code);
    connectAndRegister().catch((err) => {
      console.log('ERROR ' + err.message);
      process.exit(2);
    });
  };
  await connectAndRegister();
  // --- example: fail over (end) ---

  const result = await outcome;
  finished = true;
  console.log(`${result} received=${received}`);
  await bus.close();
  process.exitCode = result === 'DONE' ? 0 : 3;
}

main().catch((err) => {
  console.log('ERROR ' + err.message);
  process.exit(2);
});
