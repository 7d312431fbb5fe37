// Bad arguments must throw clear exceptions instead of crashing k6.
import sc from 'k6/x/socketcluster';
import { check } from 'k6';

export const options = { vus: 1, iterations: 1, thresholds: { checks: ['rate==1'] } };

function thrown(fn) {
  try {
    fn();
  } catch (e) {
    return String(e);
  }
  return '';
}

export default function () {
  check(thrown(() => sc.connect('http://127.0.0.1:1/')), {
    'non-ws URL is rejected': (m) => m.includes('must use ws or wss'),
  });
  check(thrown(() => sc.connect()), {
    'missing URL is rejected': (m) => m.includes('needs a ws:// or wss:// URL'),
  });
  check(thrown(() => sc.connect(__ENV.URL, { ackTimeot: 5 })), {
    'unknown option is rejected': (m) => m.includes('option ackTimeot: unknown option'),
  });
  check(thrown(() => sc.connect(__ENV.URL, { ackTimeout: -1 })), {
    'negative timeout is rejected': (m) => m.includes('non-negative'),
  });
  const socket = sc.connect(__ENV.URL, { autoReconnect: false });
  check(thrown(() => socket.on('bogus', () => {})), {
    'unknown event is rejected': (m) => m.includes('unknown socket event "bogus"'),
  });
  check(thrown(() => socket.on('connect', 42)), {
    'non-function handler is rejected': (m) => m.includes('want a function'),
  });
  check(thrown(() => socket.subscribe('')), {
    'empty channel is rejected': (m) => m.includes('needs a channel name'),
  });
  check(thrown(() => socket.subscribe('c', { waitForAth: true })), {
    'unknown subscribe option is rejected': (m) => m.includes('unknown subscribe option'),
  });
  socket.on('connect', () => socket.close());
}
