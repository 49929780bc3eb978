#!/usr/bin/env node
// QMsgBus sender: publishes data packets {skill, payload} in BINARY frames.
//
//   node clients/js/examples/sender.js --port 8081 --skill skill1 --count 3 --payload 'hello {n}'
//
// Options (host and port also from QMSGBUS_HOST / QMSGBUS_PORT):
//   --host H, --port P  the server (default 127.0.0.1:8081)
//   --skill S           skill of the packets (default skill1)
//   --count N           how many packets (default 1)
//   --payload T         payload text, "{n}" becomes the packet number (default: the time)
// Prints "SENT <the JSON sent>" per packet, then "DONE sent=N"; exit 2 if it cannot connect.
'use strict';
const { parseArgs } = require('node:util');
const { QMsgBusClient } = require('../qmsgbus.js');

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QMSGBUS_HOST || '127.0.0.1' },
    port: { type: 'string', default: process.env.QMSGBUS_PORT || '8081' },
    skill: { type: 'string', default: 'skill1' },
    count: { type: 'string', default: '1' },
    payload: { type: 'string' },
  },
});

async function main() {
  // --- example: send (begin) ---
  const bus = new QMsgBusClient(`ws://${opt.host}:${opt.port}/`);
  await bus.connect();
  const count = Number(opt.count);
  for (let n = 1; n <= count; n++) {
    const payload = opt.payload === undefined ? new Date().toISOString() : opt.payload.replaceAll('{n}', String(n));
    bus.publish(opt.skill, payload); // BINARY frame: {"skill":"skill1","payload":"..."}
    console.log('SENT ' + JSON.stringify({ skill: opt.skill, payload: payload }));
  }
  await bus.close();
  // --- example: send (end) ---
  console.log(`DONE sent=${count}`);
}

main().catch((err) => {
  console.log('ERROR ' + err.message);
  process.exit(2);
});
