#!/usr/bin/env node
// Benchmark driver for the JavaScript socketcluster-client (AGClientSocket):
// runs one scenario against the bench server and prints one JSON line.
// bench/README.md describes the flags, the scenarios and the output; the Go
// driver in bench/driver follows the same contract.
'use strict';

const fs = require('fs');
const scClient = require('socketcluster-client');
const clientVersion = require('socketcluster-client/package.json').version;

const FLAGS = {
  url: 'ws://127.0.0.1:8000/socketcluster/',
  scenario: 'rpc-seq',
  n: 20000,
  c: 64,
  m: 200000,
  size: 64,
  k: 1000,
  warmup: -1,
  'settle-ms': 2000,
  'hold-s': 5,
  'timeout-s': 120,
  'server-pid': 0,
  protocol: 2,
  label: ''
};

function readFlags(args) {
  const cfg = {...FLAGS};
  let i = 0;
  while (i < args.length) {
    const m = /^--?([a-z0-9-]+)(=(.*))?$/.exec(args[i]);
    if (m === null || !Object.prototype.hasOwnProperty.call(FLAGS, m[1])) {
      throw new Error(`unknown flag ${args[i]}`);
    }
    let value = m[3];
    if (value === undefined) {
      i++;
      if (i >= args.length) throw new Error(`flag --${m[1]} needs a value`);
      value = args[i];
    }
    if (typeof FLAGS[m[1]] === 'number') {
      const num = Number(value);
      if (value === '' || !Number.isFinite(num)) throw new Error(`flag --${m[1]}: ${value} is not a number`);
      cfg[m[1]] = num;
    } else {
      cfg[m[1]] = value;
    }
    i++;
  }
  return cfg;
}

// ---- process figures ------------------------------------------------------

const TICKS_PER_S = 100;

function statusKiB(pid) {
  let text;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (e) {
    return {rss: -1, peak: -1};
  }
  const field = (name) => {
    const line = text.split('\n').find((l) => l.startsWith(name + ':'));
    return line ? parseInt(line.slice(name.length + 1), 10) : -1;
  };
  return {rss: field('VmRSS'), peak: field('VmHWM')};
}

function serverSample(pid) {
  if (!(pid > 0)) return null;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: state is [0], utime [11], stime [12].
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {cpu: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_S, rss: statusKiB(pid).rss};
  } catch (e) {
    return null;
  }
}

function snapshot(cfg) {
  const cpu = process.cpuUsage();
  const mem = statusKiB('self');
  return {
    ns: process.hrtime.bigint(),
    user: cpu.user / 1e6,
    sys: cpu.system / 1e6,
    rss: mem.rss,
    peak: mem.peak,
    server: serverSample(cfg['server-pid'])
  };
}

function cpuBetween(a, b) {
  return (b.user - a.user) + (b.sys - a.sys);
}

function tidy(x) {
  if (typeof x !== 'number') return x;
  if (!Number.isFinite(x)) return -1;
  if (Math.abs(x) >= 1000) return Math.round(x);
  const digits = Math.abs(x) >= 1 ? 1e3 : 1e6;
  return Math.round(x * digits) / digits;
}

// ---- the report -------------------------------------------------------------

function newReport(cfg) {
  const out = {
    driver: 'js-official',
    library: 'socketcluster-client',
    library_version: clientVersion,
    runtime: `node ${process.version}`,
    notes: 'AGClientSocket with autoReconnect:false, otherwise defaults; for-await consumers',
    scenario: cfg.scenario,
    label: cfg.label,
    params: {
      n: cfg.n, c: cfg.c, m: cfg.m, size: cfg.size, k: cfg.k, warmup: cfg.warmup,
      protocol: cfg.protocol, timeout_s: cfg['timeout-s']
    },
    ok: true,
    error: '',
    pid: process.pid,
    time: new Date().toISOString().replace(/\.\d+Z$/, 'Z')
  };
  return {
    out,
    put(key, value) { out[key] = tidy(value); },
    failed(err) {
      const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      out.ok = false;
      out.error = out.error ? `${out.error}; ${text}` : text;
    },
    // measured records the figures of the window between snapshots a and b
    // and returns its length in seconds.
    measured(a, b) {
      const wall = Number(b.ns - a.ns) / 1e9;
      const cpu = cpuBetween(a, b);
      this.put('wall_s', wall);
      this.put('cpu_s', cpu);
      this.put('cpu_user_s', b.user - a.user);
      this.put('cpu_sys_s', b.sys - a.sys);
      if (wall > 0) this.put('cpu_util', cpu / wall);
      this.put('rss_kib', b.rss);
      this.put('rss_peak_kib', b.peak);
      if (a.server && b.server) {
        this.put('server_cpu_s', b.server.cpu - a.server.cpu);
        if (wall > 0) this.put('server_cpu_util', (b.server.cpu - a.server.cpu) / wall);
        this.put('server_rss_kib', b.server.rss);
      }
      return wall;
    },
    latency(samplesNs) {
      if (samplesNs.length === 0) return;
      const sorted = Float64Array.from(samplesNs).sort();
      const at = (q) => tidy(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] / 1e3);
      out.lat_us = {p50: at(0.5), p90: at(0.9), p99: at(0.99), max: tidy(sorted[sorted.length - 1] / 1e3)};
    },
    print() { process.stdout.write(JSON.stringify(out) + '\n'); }
  };
}

// ---- helpers ------------------------------------------------------------------

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

function limited(promise, ms, what) {
  let timer = null;
  const expiry = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${Math.round(ms)} ms`)), Math.max(1, ms));
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

function warmupOf(cfg, total, cap) {
  if (cfg.warmup >= 0) return cfg.warmup;
  return Math.min(Math.floor(total / 10), cap);
}

async function open(cfg, deadline) {
  const url = new URL(cfg.url);
  const socket = scClient.create({
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    secure: false,
    protocolVersion: cfg.protocol,
    autoReconnect: false
  });
  const early = socket.listener('close').once().then((ev) => {
    throw new Error(`connection closed before the handshake: ${ev.code} ${ev.reason || ''}`.trim());
  });
  try {
    await limited(Promise.race([socket.listener('connect').once(), early]),
      Math.min(15000, deadline - Date.now()), 'handshake');
  } catch (err) {
    socket.disconnect();
    throw err;
  }
  // Drop the driver's close consumer so idle sockets hold nothing extra.
  socket.closeListener('close');
  return socket;
}

async function echo(socket, seq) {
  const reply = await socket.invoke('echo', {seq, msg: 'hello'});
  if (reply === undefined || reply === null) throw new Error('echo answered with nothing');
}

// ---- RPC scenarios --------------------------------------------------------------

// callMany makes total echo calls with width of them in flight, recording
// each call's time in ns when lat is given.
async function callMany(socket, total, width, deadline, lat) {
  const tally = {done: 0, failed: 0, first: null};
  let issued = 0;
  const lane = async () => {
    while (issued < total && Date.now() < deadline) {
      const seq = issued++;
      const t0 = process.hrtime.bigint();
      try {
        await echo(socket, seq);
      } catch (err) {
        tally.failed++;
        if (tally.first === null) tally.first = err;
      }
      tally.done++;
      if (lat) lat.push(Number(process.hrtime.bigint() - t0));
    }
  };
  const lanes = [];
  for (let i = 0; i < Math.max(1, width); i++) lanes.push(lane());
  await Promise.all(lanes);
  return tally;
}

async function rpcScenario(cfg, rep, deadline, width) {
  const socket = await open(cfg, deadline);
  try {
    const warm = await callMany(socket, warmupOf(cfg, cfg.n, 2000), width, deadline, null);
    if (warm.first) throw new Error(`warm-up: ${warm.first.message}`);
    const lat = [];
    const a = snapshot(cfg);
    const t = await callMany(socket, cfg.n, width, deadline, lat);
    const b = snapshot(cfg);
    const wall = rep.measured(a, b);
    const good = t.done - t.failed;
    rep.put('count', good);
    rep.put('expected', cfg.n);
    rep.put('errors', t.failed);
    rep.put('ops_per_s', good / wall);
    if (good > 0) rep.put('cpu_s_per_10k_ops', cpuBetween(a, b) * 1e4 / good);
    rep.latency(lat);
    if (t.first) throw new Error(`${t.failed} of ${cfg.n} calls failed; first: ${t.first.message}`);
    if (good !== cfg.n) throw new Error(`${good} of ${cfg.n} calls done when the time ran out`);
  } finally {
    socket.disconnect();
  }
}

// ---- receive scenarios ------------------------------------------------------------

// makeTally counts payloads, flags those whose length is not size, and lets
// one waiter sleep until the count reaches a goal.
function makeTally(size) {
  const t = {
    got: 0,
    bad: 0,
    goal: Infinity,
    wake: null,
    add(data) {
      if (typeof data === 'string' && data.length !== size) t.bad++;
      t.got++;
      if (t.wake !== null && t.got >= t.goal) {
        const w = t.wake;
        t.wake = null;
        w();
      }
    },
    async reach(goal, deadline) {
      t.goal = goal;
      if (t.got >= goal) return true;
      try {
        await limited(new Promise((resolve) => { t.wake = resolve; }), deadline - Date.now(), 'receive');
        return true;
      } catch (e) {
        t.wake = null;
        return false;
      }
    }
  };
  return t;
}

async function receiveWindow(cfg, rep, deadline, tally, trigger) {
  const warm = warmupOf(cfg, Math.floor(cfg.m / 2), 10000);
  if (warm > 0) {
    await trigger(warm);
    if (!(await tally.reach(warm, deadline))) {
      throw new Error(`warm-up: ${tally.got} of ${warm} messages arrived in time`);
    }
  }
  const before = tally.got;
  const a = snapshot(cfg);
  await trigger(cfg.m);
  const all = await tally.reach(before + cfg.m, deadline);
  const b = snapshot(cfg);
  if (all) await sleep(100); // grace period: duplicates would show up here
  const got = tally.got - before;
  const used = Math.min(got, cfg.m);
  const wall = rep.measured(a, b);
  rep.put('count', got);
  rep.put('expected', cfg.m);
  rep.put('complete', got === cfg.m);
  rep.put('bad_payload', tally.bad);
  rep.put('msgs_per_s', used / wall);
  rep.put('mib_per_s', used * cfg.size / wall / 1048576);
  if (used > 0) rep.put('cpu_s_per_100k_msgs', cpuBetween(a, b) * 1e5 / used);
  if (got < cfg.m) throw new Error(`${got} of ${cfg.m} messages arrived in time`);
  if (got > cfg.m) throw new Error(`${got - cfg.m} messages more than the ${cfg.m} sent`);
  if (tally.bad > 0) throw new Error(`${tally.bad} payloads had the wrong length`);
}

async function subRecv(cfg, rep, deadline) {
  const socket = await open(cfg, deadline);
  try {
    const tally = makeTally(cfg.size);
    const name = `bench-${process.pid}`;
    const channel = socket.subscribe(name);
    (async () => {
      for await (const data of channel) tally.add(data);
    })();
    await limited(channel.listener('subscribe').once(), 10000, 'subscribe');
    await receiveWindow(cfg, rep, deadline, tally, async (count) => {
      socket.transmit('blast', {channel: name, count, size: cfg.size});
    });
  } finally {
    socket.disconnect();
  }
}

async function evtRecv(cfg, rep, deadline) {
  const socket = await open(cfg, deadline);
  try {
    const tally = makeTally(cfg.size);
    (async () => {
      for await (const data of socket.receiver('benchEvent')) tally.add(data);
    })();
    await receiveWindow(cfg, rep, deadline, tally, (count) =>
      socket.invoke('emitEvents', {event: 'benchEvent', count, size: cfg.size}));
  } finally {
    socket.disconnect();
  }
}

// ---- connection scenarios -----------------------------------------------------------

async function conns(cfg, rep, deadline) {
  const baseRss = statusKiB('self').rss;
  const baseServer = serverSample(cfg['server-pid']);
  const sockets = [];
  let failed = 0;
  let first = null;
  let issued = 0;
  const lane = async () => {
    while (issued < cfg.k && Date.now() < deadline) {
      issued++;
      try {
        sockets.push(await open(cfg, deadline));
      } catch (err) {
        failed++;
        if (first === null) first = err;
      }
    }
  };
  const a = snapshot(cfg);
  const lanes = [];
  for (let i = 0; i < Math.max(1, cfg.c); i++) lanes.push(lane());
  await Promise.all(lanes);
  const b = snapshot(cfg);
  const wall = rep.measured(a, b);
  const up = sockets.length;
  rep.put('count', up);
  rep.put('expected', cfg.k);
  rep.put('errors', failed);
  rep.put('conns_per_s', up / wall);
  if (up > 0) rep.put('cpu_ms_per_conn', cpuBetween(a, b) * 1e3 / up);

  await sleep(Math.min(cfg['settle-ms'], deadline - Date.now()));
  const mem = statusKiB('self');
  rep.put('rss_base_kib', baseRss);
  rep.put('rss_kib', mem.rss);
  rep.put('rss_peak_kib', mem.peak);
  if (up > 0) rep.put('rss_kib_per_conn', (mem.rss - baseRss) / up);
  const srv = serverSample(cfg['server-pid']);
  if (srv && baseServer) {
    rep.put('server_rss_base_kib', baseServer.rss);
    rep.put('server_rss_kib', srv.rss);
    if (up > 0) rep.put('server_rss_kib_per_conn', (srv.rss - baseServer.rss) / up);
  }
  let alive = false;
  if (up > 0) {
    try {
      await limited(echo(sockets[up - 1], up), 5000, 'echo');
      alive = true;
    } catch (e) {
      alive = false;
    }
  }
  rep.put('alive_after_settle', alive);
  sockets.forEach((s) => s.disconnect());
  if (first) throw new Error(`${failed} of ${cfg.k} connections failed; first: ${first.message}`);
  if (up !== cfg.k) throw new Error(`${up} of ${cfg.k} connections open when the time ran out`);
  if (!alive) throw new Error('an idle socket did not answer echo after the settle time');
}

async function pingHold(cfg, rep, deadline) {
  const socket = await open(cfg, deadline);
  try {
    const a = snapshot(cfg);
    await sleep(cfg['hold-s'] * 1000);
    let problem = null;
    try {
      await limited(echo(socket, 1), 3000, 'echo');
    } catch (err) {
      problem = err;
    }
    rep.measured(a, snapshot(cfg));
    rep.put('held_s', cfg['hold-s']);
    rep.put('alive', problem === null);
    if (problem) throw new Error(`no echo after ${cfg['hold-s']} s idle (pings unanswered?): ${problem.message}`);
  } finally {
    socket.disconnect();
  }
}

const SCENARIOS = {
  'rpc-seq': (cfg, rep, deadline) => rpcScenario(cfg, rep, deadline, 1),
  'rpc-par': (cfg, rep, deadline) => rpcScenario(cfg, rep, deadline, cfg.c),
  'sub-recv': subRecv,
  'evt-recv': evtRecv,
  conns,
  'ping-hold': pingHold
};

function requireLoopback(raw) {
  const host = new URL(raw).hostname.replace(/^\[(.*)\]$/, '$1');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  if (!loopback) throw new Error(`--url ${raw}: the server must be on loopback (127.0.0.0/8, ::1, localhost)`);
}

async function main() {
  let cfg;
  try {
    cfg = readFlags(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const rep = newReport(cfg);
  const limitMs = cfg['timeout-s'] * 1000;
  const deadline = Date.now() + limitMs;
  setTimeout(() => {
    rep.failed(new Error('watchdog: still running 15 s after the deadline'));
    rep.print();
    process.exit(3);
  }, limitMs + 15000).unref();
  try {
    requireLoopback(cfg.url);
    const scenario = SCENARIOS[cfg.scenario];
    if (!scenario) throw new Error(`unknown scenario ${cfg.scenario}`);
    await scenario(cfg, rep, deadline);
  } catch (err) {
    rep.failed(err);
  }
  rep.print();
  process.exit(rep.out.ok ? 0 : 1);
}

main();
