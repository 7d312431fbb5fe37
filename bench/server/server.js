// The fixed peer of the client benchmark rig: socketcluster-server 20.0.1
// with its default options, listening on 127.0.0.1 only.
//
//   node server.js [port] [protocolVersion]
//
// PORT and PROTOCOL_VERSION may be given in the environment instead; port 0
// (the default) takes a free one. PING_INTERVAL_MS and PING_TIMEOUT_MS
// shorten the server's ping timings; EXIT_ON_STDIN_CLOSE=1 makes it exit
// when its standard input closes (its launcher went away). When listening, one JSON line goes to
// stdout: {"ready":true,"port":...,"pid":...,"protocolVersion":...}.
//
// Offered to every client socket:
//   echo        procedure: answers with the request's data
//   blast       receiver and procedure: {channel, count, size} publishes
//               `count` strings of exactly `size` bytes on `channel` with
//               exchange.transmitPublish (the procedure answers first)
//   emitEvents  procedure: {event, count, size} answers, then transmits
//               `count` such strings to the calling socket as `event`
//   stats       procedure: {pid, rss, cpuUser, cpuSystem, clients}
//
// Bulk sends run in slices of SLICE messages with a setImmediate between
// slices, so pings and other sockets are served during a blast. While the
// target sockets hold more than QUEUE_LIMIT unsent bytes the server waits
// (1 ms timer) instead of queueing more: a slow client then costs bounded
// memory, and an idle server during a blast means the client set the pace.
'use strict';

const http = require('http');
const scServer = require('socketcluster-server');

const SLICE = 512;
const QUEUE_LIMIT = 4 << 20;
const COUNT_LIMIT = 10000000;
const SIZE_LIMIT = 1 << 20;
const HOST = '127.0.0.1';

const port = Number(process.argv[2] || process.env.PORT || 0);
const protocolVersion = Number(process.argv[3] || process.env.PROTOCOL_VERSION || 2);
const corkWrites = process.env.BLAST_CORK !== '0';

function serverOptions() {
  const opts = {};
  if (protocolVersion !== 2) opts.protocolVersion = protocolVersion;
  if (process.env.PING_INTERVAL_MS) opts.pingInterval = Number(process.env.PING_INTERVAL_MS);
  if (process.env.PING_TIMEOUT_MS) opts.pingTimeout = Number(process.env.PING_TIMEOUT_MS);
  return opts;
}

const httpServer = http.createServer((req, res) => {
  res.writeHead(501);
  res.end('Not Implemented');
});
const agServer = scServer.attach(httpServer, serverOptions());

function clamp(value, max) {
  const n = Math.floor(Number(value) || 0);
  return n < 0 ? 0 : n > max ? max : n;
}

// unsentBytes adds up what the WebSockets of the given sockets still hold.
function unsentBytes(sockets) {
  let sum = 0;
  sockets.forEach((s) => {
    const ws = s.socket;
    if (ws && typeof ws.bufferedAmount === 'number') sum += ws.bufferedAmount;
  });
  return sum;
}

// sendInSlices calls send() count times, SLICE calls per turn of the event
// loop, waiting while targets() hold more than QUEUE_LIMIT unsent bytes.
// With corking, each slice's frames leave the TCP socket together.
function sendInSlices(count, send, targets) {
  let sent = 0;
  let corked = [];
  const releaseCorks = () => {
    corked.forEach((raw) => raw.uncork());
    corked = [];
  };
  const turn = () => {
    releaseCorks();
    const sockets = targets();
    if (sockets.length > 0 && unsentBytes(sockets) > QUEUE_LIMIT) {
      setTimeout(turn, 1);
      return;
    }
    if (corkWrites) {
      sockets.forEach((s) => {
        const raw = s.socket && s.socket._socket;
        if (raw && typeof raw.cork === 'function') {
          raw.cork();
          corked.push(raw);
        }
      });
    }
    const stop = Math.min(count, sent + SLICE);
    while (sent < stop) {
      send();
      sent++;
    }
    // Frames of the last slice are written from promise callbacks queued
    // by send(); release the corks on the next turn, after those.
    setImmediate(sent < count ? turn : releaseCorks);
  };
  setImmediate(turn);
}

function channelSubscribers(channel) {
  return Object.values(agServer.clients).filter((s) => s.isSubscribed && s.isSubscribed(channel));
}

function blast(data) {
  if (data == null || typeof data.channel !== 'string') {
    throw new Error('blast expects {channel, count, size}');
  }
  const payload = 'x'.repeat(clamp(data.size, SIZE_LIMIT));
  const subscribers = channelSubscribers(data.channel);
  sendInSlices(clamp(data.count, COUNT_LIMIT),
    () => agServer.exchange.transmitPublish(data.channel, payload),
    () => subscribers);
}

function emitEvents(socket, data) {
  if (data == null || typeof data.event !== 'string') {
    throw new Error('emitEvents expects {event, count, size}');
  }
  const payload = 'x'.repeat(clamp(data.size, SIZE_LIMIT));
  sendInSlices(clamp(data.count, COUNT_LIMIT),
    () => socket.transmit(data.event, payload),
    () => [socket]);
}

function stats() {
  const cpu = process.cpuUsage();
  return {
    pid: process.pid,
    rss: process.memoryUsage().rss,
    cpuUser: cpu.user / 1e6,
    cpuSystem: cpu.system / 1e6,
    clients: agServer.clientsCount
  };
}

// Each procedure computes its answer from the socket and the request data;
// a thrown error is sent back as the call's error.
const procedures = {
  echo: (socket, data) => data,
  stats: () => stats(),
  blast: (socket, data) => { blast(data); },
  emitEvents: (socket, data) => { emitEvents(socket, data); }
};

async function serveProcedure(socket, name, handler) {
  for await (const req of socket.procedure(name)) {
    let answer;
    try {
      answer = handler(socket, req.data);
    } catch (err) {
      req.error(err);
      continue;
    }
    req.end(answer);
  }
}

async function serveBlastReceiver(socket) {
  for await (const data of socket.receiver('blast')) {
    try {
      blast(data);
    } catch (err) {
      console.error('[bench-server] blast:', err.message);
    }
  }
}

(async () => {
  for await (const {socket} of agServer.listener('connection')) {
    for (const name of Object.keys(procedures)) {
      serveProcedure(socket, name, procedures[name]);
    }
    serveBlastReceiver(socket);
  }
})();

(async () => {
  for await (const {error} of agServer.listener('error')) {
    console.error('[bench-server] error:', error && error.name, error && error.message);
  }
})();

function shutdown() {
  agServer.close();
  httpServer.close();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (process.env.EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('error', shutdown);
  process.stdin.resume();
}

httpServer.listen(port, HOST, () => {
  process.stdout.write(JSON.stringify({
    ready: true,
    port: httpServer.address().port,
    pid: process.pid,
    protocolVersion: agServer.protocolVersion,
    pingInterval: agServer.pingInterval,
    pingTimeout: agServer.pingTimeout
  }) + '\n');
});
