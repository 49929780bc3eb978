#!/usr/bin/env node
// QMsgBus receiver: registers for a skill and ACKs each packet, so the server sends the next.
//
//   node clients/js/examples/receiver.js --port 8081 --skill skill1 --count 3
//
// Options (host and port also from QMSGBUS_HOST / QMSGBUS_PORT):
//   --host H, --port P  the server (default 127.0.0.1:8081)
//   --skill S           skill to register for (default skill1)
//   --count N           stop after N packets (default 0: run for ever)
//   --timeout SEC       stop after SEC seconds (default 0: no limit)
// Prints "READY" once registered (the register is sent with an id and the reply awaited),
// "RECEIVED <packet JSON>" per packet, then "DONE received=N" (exit 0) or
// "TIMEOUT received=N" (exit 3) or "CLOSED received=N" (the server closed; exit 4);
// exit 2 if it cannot connect.
'use strict';
const { parseArgs } = require('node:util');
const { QMsgBusClient } = require('../qmsgbus.js');

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QMSGBUS_HOST || '127.0.0.1' },
    port: { type: 'string', default: process.env.QMSGBUS_PORT || '8081' },
    skill: { type: 'string', default: 'skill1' },
    count: { type: 'string', default: '0' },
    timeout: { type: 'string', default: '0' },
  },
});

async function main() {
  const count = Number(opt.count);
  let received = 0;

  // --- example: receive and ACK (begin) ---
  const bus = new QMsgBusClient(`ws://${opt.host}:${opt.port}/`);
  const done = new Promise((resolve) => {
    bus.onPacket = (packet, bytes) => {
      received++;
      console.log('RECEIVED ' + JSON.stringify(packet)); // bytes: the exact Uint8Array sent
      bus.ack(); // without it the server sends nothing more (unless fast-push is on)
      if (count > 0 && received >= count) {
        resolve();
      }
    };
  });
  const closed = new Promise((resolve) => {
    bus.onClose = (code) => resolve(code);
  });
  bus.onReply = (reply) => {
    if (reply.ok === false) {
      console.log('SERVER-ERROR ' + JSON.stringify(reply));
    }
  };
  await bus.connect();
  const reply = await bus.request({ register: opt.skill }); // resolves with {"id":..,"ok":true}
  if (!reply.ok) {
    throw new Error('register refused: ' + reply.error);
  }
  console.log('READY');
  // --- example: receive and ACK (end) ---

  const seconds = Number(opt.timeout);
  const outcome = await Promise.race([
    done.then(() => 'DONE'),
    closed.then(() => 'CLOSED'),
    new Promise((resolve) => {
      if (seconds > 0) {
        setTimeout(() => resolve('TIMEOUT'), seconds * 1000).unref();
      }
    }),
  ]);
  console.log(`${outcome} received=${received}`);
  await bus.close();
  process.exitCode = { DONE: 0, TIMEOUT: 3, CLOSED: 4 }[outcome];
}

main().catch((err) => {
  console.log('ERROR ' + err.message);
  process.exit(2);
});
