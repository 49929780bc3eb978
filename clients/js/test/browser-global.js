#!/usr/bin/env node
// Loads qmsgbus.js the way a browser's <script> tag does -- no `module`, no `require`,
// a global `WebSocket` (here the `ws` package standing in for the browser's) -- and
// round-trips packets through the bus with it. Run by JavaScriptInteropTest.
//
//   node clients/js/test/browser-global.js --port 8081 --count 3
//
// Prints "RECEIVED <packet JSON>" per packet, then "DONE received=N"; exit 1 on failure.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const { parseArgs } = require('node:util');
const WebSocket = require('ws');

const { values: opt } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.QMSGBUS_HOST || '127.0.0.1' },
    port: { type: 'string', default: process.env.QMSGBUS_PORT || '8081' },
    count: { type: 'string', default: '3' },
  },
});

// A browser-like global scope: what a page has, and nothing Node-only.
const page = { WebSocket, TextEncoder, TextDecoder, setTimeout, clearTimeout, console };
page.self = page;
vm.createContext(page);
const source = fs.readFileSync(path.join(__dirname, '..', 'qmsgbus.js'), 'utf8');
vm.runInContext(source, page, { filename: 'qmsgbus.js' });
if (!page.QMsgBus || typeof page.QMsgBus.QMsgBusClient !== 'function') {
  console.log('ERROR qmsgbus.js did not define the QMsgBus global');
  process.exit(1);
}

async function main() {
  const url = `ws://${opt.host}:${opt.port}/`;
  const count = Number(opt.count);
  const receiver = new page.QMsgBus.QMsgBusClient(url);
  const sender = new page.QMsgBus.QMsgBusClient(url);
  let received = 0;
  const done = new Promise((resolve) => {
    receiver.onPacket = (packet, bytes) => {
      received++;
      console.log('RECEIVED ' + JSON.stringify(packet) + ' bytes=' + bytes.length);
      receiver.ack();
      if (received >= count) {
        resolve();
      }
    };
  });
  await receiver.connect();
  await receiver.request({ register: 'browser' });
  await sender.connect();
  for (let n = 1; n <= count; n++) {
    sender.publish('browser', 'from-page-' + n);
  }
  const timer = setTimeout(() => {
    console.log(`TIMEOUT received=${received}`);
    process.exit(1);
  }, 20000);
  await done;
  clearTimeout(timer);
  await sender.close();
  await receiver.close();
  console.log(`DONE received=${received}`);
}

main().catch((err) => {
  console.log('ERROR ' + err.message);
  process.exit(1);
});
