'use strict';

// A real socketcluster-server (v20) for the Go client's tests and demos.
//
// It listens on 127.0.0.1 only. When it is listening it prints exactly one
// JSON line to stdout, {"ready":true,"port":N,"pid":N}; everything else
// (one line per connection, disconnection and error) goes to stderr.
// SIGTERM and SIGINT close it cleanly with exit code 0.
//
// Environment variables (an unset or empty variable means "use the default";
// an invalid value makes the server print the reason and exit with code 2):
//
//   SC_PORT                  TCP port, 0..65535. Default 0: a free port.
//   SC_AUTH_KEY              authKey used to sign and verify JWTs. Default "testkey".
//   SC_PROTOCOL_VERSION      1 (pings "#1", pongs "#2") or 2 (empty pings and
//                            pongs). Default 2.
//   SC_PING_INTERVAL         pingInterval in ms. Server default 8000.
//   SC_PING_TIMEOUT          pingTimeout in ms. Server default 30000.
//   SC_PING_TIMEOUT_DISABLED "1" sets pingTimeoutDisabled (no pings, no pong
//                            timeout). Default "0".
//   SC_ACK_TIMEOUT           ackTimeout in ms for server-side invokes.
//                            Server default 10000.
//   SC_HANDSHAKE_TIMEOUT     handshakeTimeout in ms. Server default 10000.
//   SC_ALLOW_CLIENT_PUBLISH  "0" sets allowClientPublish to false. Default "1".
//   SC_MAX_PAYLOAD           maxPayload in bytes for inbound frames.
//                            Default: the ws default (100 MiB).
//   SC_SOCKET_CHANNEL_LIMIT  socketChannelLimit (subscriptions per socket).
//                            Default: no limit.
//   SC_BATCH_ON_HANDSHAKE    "1" sets batchOnHandshake. Default "0".
//   SC_ORIGINS               origins option, e.g. "localhost:*". Default "*:*".
//   SC_STRICT_HANDSHAKE      "0" sets strictHandshake to false. Default "1".
//   SC_REJECT_HANDSHAKE      a number: every handshakeSC action is blocked with
//                            an SCRejectError whose statusCode is that number
//                            (the server then closes with that code);
//                            "silent": blocked with no error (the server sends
//                            SilentMiddlewareBlockedError and closes with 4008).
//                            Default: handshakes are allowed.
//   SC_PER_MESSAGE_DEFLATE   a byte count: accept permessage-deflate and
//                            compress messages of at least that size.
//                            Default: no compression.
//   SC_EXIT_ON_STDIN_CLOSE   "1": shut down when stdin reaches end of file, so
//                            the server cannot outlive the program that
//                            started it. Default "0".
//
// Always-on middleware:
//   - subscribe to "private/..." is blocked (PrivateChannelError) unless the
//     socket is authenticated;
//   - subscribe to "forbidden" is blocked (ForbiddenSubscribeError, with
//     extraField: 123);
//   - publish to "noPublish" is blocked (PublishBlockedError);
//   - an authenticate action whose token has blocked: true is blocked
//     (BlockedUserError);
//   - an upgrade request with the query delayMe=true is held for 5 s before
//     the WebSocket handshake is accepted.
//
// Procedures and receivers are listed in README.md next to this file and in
// the PROCEDURES table below.

const http = require('http');
const socketClusterServer = require('socketcluster-server');

// ---------------------------------------------------------------------------
// Logging

function log(line) {
  process.stderr.write(`${new Date().toISOString()} ${line}\n`);
}

function describeError(error) {
  if (error && typeof error === 'object') {
    let name = error.name || 'Error';
    let code = error.code != null ? ` code=${error.code}` : '';
    return `${name}: ${error.message}${code}`;
  }
  return String(error);
}

// ---------------------------------------------------------------------------
// Configuration from the environment

class ConfigError extends Error {}

function envString(name) {
  let value = process.env[name];
  if (value == null || value === '') {
    return undefined;
  }
  return value;
}

function envInt(name, min, max) {
  let value = envString(name);
  if (value === undefined) {
    return undefined;
  }
  if (!/^-?\d+$/.test(value)) {
    throw new ConfigError(`${name} must be an integer, got ${JSON.stringify(value)}`);
  }
  let n = Number(value);
  if (n < min || n > max) {
    throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  }
  return n;
}

function envFlag(name) {
  let value = envString(name);
  if (value === undefined) {
    return undefined;
  }
  if (value === '1') {
    return true;
  }
  if (value === '0') {
    return false;
  }
  throw new ConfigError(`${name} must be "0" or "1", got ${JSON.stringify(value)}`);
}

const MAX_MS = 2147483647; // the largest delay setTimeout accepts

function readConfig() {
  let serverOptions = {
    authKey: envString('SC_AUTH_KEY') || 'testkey'
  };
  let setIfDefined = (key, value) => {
    if (value !== undefined) {
      serverOptions[key] = value;
    }
  };

  let protocolVersion = envInt('SC_PROTOCOL_VERSION', 1, 2);
  setIfDefined('protocolVersion', protocolVersion);
  setIfDefined('pingInterval', envInt('SC_PING_INTERVAL', 1, MAX_MS));
  setIfDefined('pingTimeout', envInt('SC_PING_TIMEOUT', 1, MAX_MS));
  setIfDefined('pingTimeoutDisabled', envFlag('SC_PING_TIMEOUT_DISABLED'));
  setIfDefined('ackTimeout', envInt('SC_ACK_TIMEOUT', 1, MAX_MS));
  setIfDefined('handshakeTimeout', envInt('SC_HANDSHAKE_TIMEOUT', 1, MAX_MS));
  setIfDefined('allowClientPublish', envFlag('SC_ALLOW_CLIENT_PUBLISH'));
  setIfDefined('maxPayload', envInt('SC_MAX_PAYLOAD', 1, Number.MAX_SAFE_INTEGER));
  setIfDefined('socketChannelLimit', envInt('SC_SOCKET_CHANNEL_LIMIT', 1, Number.MAX_SAFE_INTEGER));
  setIfDefined('batchOnHandshake', envFlag('SC_BATCH_ON_HANDSHAKE'));
  setIfDefined('origins', envString('SC_ORIGINS'));
  setIfDefined('strictHandshake', envFlag('SC_STRICT_HANDSHAKE'));
  let deflateThreshold = envInt('SC_PER_MESSAGE_DEFLATE', 0, Number.MAX_SAFE_INTEGER);
  if (deflateThreshold !== undefined) {
    serverOptions.perMessageDeflate = {threshold: deflateThreshold};
  }

  let rejectHandshake = null;
  let reject = envString('SC_REJECT_HANDSHAKE');
  if (reject === 'silent') {
    rejectHandshake = {silent: true};
  } else if (reject !== undefined) {
    rejectHandshake = {statusCode: envInt('SC_REJECT_HANDSHAKE', 1000, 4999)};
  }

  return {
    port: envInt('SC_PORT', 0, 65535) || 0,
    serverOptions,
    rejectHandshake,
    exitOnStdinClose: envFlag('SC_EXIT_ON_STDIN_CLOSE') === true
  };
}

let config;
try {
  config = readConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    log(`invalid configuration: ${error.message}`);
    process.exit(2);
  }
  throw error;
}

// ---------------------------------------------------------------------------
// Helpers

// Builds an Error whose name and extra own fields travel to the client
// (sc-errors copies every own enumerable field when it dehydrates an error).
function namedError(name, message, fields) {
  let error = new Error(message);
  error.name = name;
  Object.assign(error, fields);
  return error;
}

function badArguments(message) {
  return namedError('InvalidArgumentsError', message);
}

function wait(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// The close codes an endpoint may put in a close frame (RFC 6455 section 7.4).
function isSendableCloseCode(code) {
  if (!Number.isInteger(code)) {
    return false;
  }
  if (code >= 1000 && code <= 1014) {
    return code !== 1004 && code !== 1005 && code !== 1006;
  }
  return code >= 3000 && code <= 4999;
}

function isObject(value) {
  return value != null && typeof value === 'object' && !Array.isArray(value);
}

// Users that login and loginWithTTL accept. alice, bob and kate are the users
// of socketcluster-client's own integration suite.
const ALLOWED_USERS = new Set(['alice', 'bob', 'charlie', 'david', 'kate']);

// The integration suite gives login tokens an expiry 5000 years away.
const LONG_TOKEN_LIFETIME_SECONDS = 60 * 60 * 24 * 366 * 5000;

// ---------------------------------------------------------------------------
// Server

const httpServer = http.createServer((req, res) => {
  res.writeHead(404, {'Content-Type': 'text/plain'});
  res.end('Not found: this server only accepts WebSocket upgrades on /socketcluster/\n');
});

const agServer = socketClusterServer.attach(httpServer, config.serverOptions);

// Number of "foo" transmits received since the server started (the
// integration suite checks that a transmit on a reconnecting socket arrives).
let fooReceivedCount = 0;

// ---------------------------------------------------------------------------
// Middleware

agServer.setMiddleware(agServer.MIDDLEWARE_HANDSHAKE, async (middlewareStream) => {
  for await (let action of middlewareStream) {
    if (action.type === action.HANDSHAKE_WS) {
      if (hasDelayMe(action.request)) {
        await wait(5000);
      }
      action.allow();
    } else if (action.type === action.HANDSHAKE_SC) {
      let reject = config.rejectHandshake;
      if (reject == null) {
        action.allow();
      } else if (reject.silent) {
        action.block();
      } else {
        action.block(namedError('SCRejectError', 'SC handshake rejected with custom code', {
          statusCode: reject.statusCode
        }));
      }
    } else {
      action.allow();
    }
  }
});

function hasDelayMe(request) {
  try {
    let url = new URL(request.url, 'http://127.0.0.1');
    return url.searchParams.get('delayMe') === 'true';
  } catch (error) {
    return false;
  }
}

agServer.setMiddleware(agServer.MIDDLEWARE_INBOUND, async (middlewareStream) => {
  for await (let action of middlewareStream) {
    let error = inboundBlockError(action);
    if (error) {
      action.block(error);
    } else {
      action.allow();
    }
  }
});

function inboundBlockError(action) {
  if (action.type === action.SUBSCRIBE) {
    if (action.channel.startsWith('private/') && action.socket.authState !== 'authenticated') {
      return namedError('PrivateChannelError', 'Authentication required for private channels');
    }
    if (action.channel === 'forbidden') {
      return namedError('ForbiddenSubscribeError', 'You cannot subscribe to forbidden', {
        extraField: 123
      });
    }
  } else if (action.type === action.PUBLISH_IN) {
    if (action.channel === 'noPublish') {
      return namedError('PublishBlockedError', 'Publishing to noPublish is not allowed');
    }
  } else if (action.type === action.AUTHENTICATE) {
    if (isObject(action.authToken) && action.authToken.blocked === true) {
      return namedError('BlockedUserError', 'blocked user');
    }
  }
  return null;
}

// ---------------------------------------------------------------------------
// Procedures: each handler gets (data, socket, request) and returns the value
// to answer with (undefined: an answer without data) or throws the error to
// answer with. A handler that answers by itself returns RESPONDED.

const RESPONDED = Symbol('responded');

function login(data, socket, tokenOptions) {
  if (!isObject(data) || !ALLOWED_USERS.has(data.username)) {
    throw namedError('FailedLoginError', 'Failed to login');
  }
  let token = {...data};
  if (tokenOptions == null && token.exp == null) {
    token.exp = Math.round(Date.now() / 1000) + LONG_TOKEN_LIFETIME_SECONDS;
  }
  // Not awaited, like the integration suite: the answer to the call goes out
  // before the #setAuthToken frame.
  socket.setAuthToken(token, tokenOptions).catch((error) => {
    log(`error socket=${socket.id} setAuthToken failed: ${describeError(error)}`);
  });
  return 'ok';
}

function channelSubscriberCounts() {
  let counts = {};
  for (let socket of Object.values(agServer.clients)) {
    for (let channel of socket.subscriptions()) {
      counts[channel] = (counts[channel] || 0) + 1;
    }
  }
  return counts;
}

const PROCEDURES = {
  echo: (data) => data,

  noData: () => undefined,

  fail: () => {
    throw namedError('CustomError', 'custom failure', {code: 42, details: {a: 1}});
  },

  failString: () => {
    throw 'just a string';
  },

  slow: async (data) => {
    if (!isObject(data) || typeof data.ms !== 'number' || !Number.isFinite(data.ms) || data.ms < 0) {
      throw badArguments('slow expects {ms: a number of milliseconds >= 0}');
    }
    await wait(Math.min(data.ms, 60000));
    return data;
  },

  login: (data, socket) => login(data, socket, undefined),

  loginWithTTL: (data, socket) => {
    let expiresIn = isObject(data) && data.expiresIn ? data.expiresIn : 60;
    return login(data, socket, {expiresIn});
  },

  logout: (data, socket) => {
    socket.deauthenticate().catch((error) => {
      log(`error socket=${socket.id} deauthenticate failed: ${describeError(error)}`);
    });
    return undefined;
  },

  setAuthKey: (data) => {
    if (typeof data !== 'string' || data === '') {
      throw badArguments('setAuthKey expects a non-empty string');
    }
    agServer.signatureKey = data;
    agServer.verificationKey = data;
    return undefined;
  },

  performTask: async () => {
    await wait(1000);
    return undefined;
  },

  kick: (data, socket) => {
    if (!isObject(data)) {
      throw badArguments('kick expects {channel, message}');
    }
    socket.kickOut(data.channel, data.message).catch((error) => {
      log(`error socket=${socket.id} kickOut failed: ${describeError(error)}`);
    });
    return undefined;
  },

  publish: (data) => {
    if (!isObject(data) || typeof data.channel !== 'string') {
      throw badArguments('publish expects {channel: string, data}');
    }
    agServer.exchange.transmitPublish(data.channel, data.data).catch((error) => {
      log(`error transmitPublish to ${data.channel} failed: ${describeError(error)}`);
    });
    return undefined;
  },

  serverTransmit: (data, socket) => {
    if (!isObject(data) || typeof data.event !== 'string') {
      throw badArguments('serverTransmit expects {event: string, data}');
    }
    socket.transmit(data.event, data.data);
    return undefined;
  },

  serverInvoke: async (data, socket) => {
    if (!isObject(data) || typeof data.event !== 'string') {
      throw badArguments('serverInvoke expects {event: string, data}');
    }
    return socket.invoke(data.event, data.data);
  },

  serverSend: (data, socket) => {
    if (!isObject(data) || typeof data.text !== 'string') {
      throw badArguments('serverSend expects {text: string}');
    }
    socket.send(data.text);
    return undefined;
  },

  disconnectMe: (data, socket, request) => {
    let code = isObject(data) && data.code != null ? data.code : 1000;
    let reason = isObject(data) && data.reason != null ? data.reason : undefined;
    if (!isSendableCloseCode(code)) {
      throw badArguments('disconnectMe expects code 1000-1014 (not 1004-1006) or 3000-4999');
    }
    if (reason !== undefined && (typeof reason !== 'string' || Buffer.byteLength(reason) > 123)) {
      throw badArguments('disconnectMe expects reason to be a string of at most 123 bytes');
    }
    request.end();
    setTimeout(() => socket.disconnect(code, reason), 20);
    return RESPONDED;
  },

  setAuthTokenInvoke: async (data, socket) => {
    await socket.setAuthToken(data, {rejectOnFailedDelivery: true});
    return 'ok';
  },

  deauthenticateInvoke: async (data, socket) => {
    await socket.deauthenticate({rejectOnFailedDelivery: true});
    return 'ok';
  },

  stats: (data, socket) => ({
    clients: Object.keys(agServer.clients).length,
    subscriptions: channelSubscriberCounts(),
    inboundMessages: inboundMessageCounts.get(socket) || 0
  }),

  subscribers: (data) => {
    if (!isObject(data) || typeof data.channel !== 'string') {
      throw badArguments('subscribers expects {channel: string}');
    }
    return channelSubscriberCounts()[data.channel] || 0;
  },

  fooCount: () => fooReceivedCount
};

// Receivers: each handler gets (data, socket).
const RECEIVERS = {
  echoEvent: (data, socket) => {
    if (!isObject(data) || typeof data.event !== 'string') {
      log(`error socket=${socket.id} echoEvent expects {event: string, data}`);
      return;
    }
    socket.transmit(data.event, data.data);
  },

  foo: () => {
    fooReceivedCount++;
  }
};

async function answer(request, socket, handler) {
  let result;
  try {
    result = await handler(request.data, socket, request);
  } catch (error) {
    if (!request.sent) {
      request.error(error);
    }
    return;
  }
  if (result !== RESPONDED && !request.sent) {
    request.end(result);
  }
}

function serveProcedure(socket, name, handler) {
  (async () => {
    for await (let request of socket.procedure(name)) {
      // Not awaited: a slow call must not hold up the next one.
      answer(request, socket, handler).catch((error) => {
        log(`error socket=${socket.id} procedure ${name} failed: ${describeError(error)}`);
      });
    }
  })();
}

function serveReceiver(socket, name, handler) {
  (async () => {
    for await (let data of socket.receiver(name)) {
      try {
        handler(data, socket);
      } catch (error) {
        log(`error socket=${socket.id} receiver ${name} failed: ${describeError(error)}`);
      }
    }
  })();
}

// ---------------------------------------------------------------------------
// Connections and logging

// The server repeats every socket error as a server warning; those already
// logged with their socket are not logged again.
const socketErrors = new WeakSet();

// Inbound WebSocket messages per socket (a batch counts once), so tests can
// check that batched packets travelled in one frame.
const inboundMessageCounts = new WeakMap();

(async () => {
  for await (let {socket} of agServer.listener('handshake')) {
    (async () => {
      for await (let ignored of socket.listener('message')) {
        inboundMessageCounts.set(socket, (inboundMessageCounts.get(socket) || 0) + 1);
      }
    })();
    (async () => {
      for await (let {error} of socket.listener('error')) {
        if (error && typeof error === 'object') {
          socketErrors.add(error);
        }
        log(`error socket=${socket.id} ${describeError(error)}`);
      }
    })();
  }
})();

(async () => {
  for await (let {socket, isAuthenticated} of agServer.listener('connection')) {
    log(`connection socket=${socket.id} remote=${socket.remoteAddress}:${socket.remotePort} authenticated=${isAuthenticated}`);
    for (let [name, handler] of Object.entries(PROCEDURES)) {
      serveProcedure(socket, name, handler);
    }
    for (let [name, handler] of Object.entries(RECEIVERS)) {
      serveReceiver(socket, name, handler);
    }
  }
})();

(async () => {
  for await (let {socket, code, reason} of agServer.listener('disconnection')) {
    log(`disconnection socket=${socket.id} code=${code} reason=${JSON.stringify(reason || '')}`);
  }
})();

(async () => {
  for await (let {socket, code, reason} of agServer.listener('connectionAbort')) {
    log(`connectionAbort socket=${socket.id} code=${code} reason=${JSON.stringify(reason || '')}`);
  }
})();

(async () => {
  for await (let {error} of agServer.listener('error')) {
    log(`error server ${describeError(error)}`);
  }
})();

(async () => {
  for await (let {warning} of agServer.listener('warning')) {
    setImmediate(() => {
      if (!(warning && typeof warning === 'object' && socketErrors.has(warning))) {
        log(`warning server ${describeError(warning)}`);
      }
    });
  }
})();

process.on('unhandledRejection', (reason) => {
  log(`error unhandled rejection ${describeError(reason)}`);
});

// ---------------------------------------------------------------------------
// Start and stop

let shuttingDown = false;

async function shutdown(why) {
  if (shuttingDown) {
    return;
  }
  shuttingDown = true;
  log(`shutting down (${why})`);
  let force = setTimeout(() => {
    log('shutdown took longer than 3 s; exiting anyway');
    process.exit(0);
  }, 3000);
  force.unref();
  try {
    httpServer.close();
    await agServer.close();
    httpServer.closeAllConnections();
  } catch (error) {
    log(`error while closing ${describeError(error)}`);
  }
  process.exit(0);
}

process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

if (config.exitOnStdinClose) {
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('error', () => shutdown('stdin error'));
  process.stdin.resume();
}

httpServer.on('error', (error) => {
  log(`error listening on 127.0.0.1:${config.port}: ${describeError(error)}`);
  process.exit(1);
});

httpServer.listen(config.port, '127.0.0.1', () => {
  let port = httpServer.address().port;
  process.stdout.write(JSON.stringify({ready: true, port, pid: process.pid}) + '\n');
  log(`listening on ws://127.0.0.1:${port}/socketcluster/ (protocolVersion ${agServer.protocolVersion})`);
});
