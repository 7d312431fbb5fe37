// RPC ramp: the number of VUs ramps up while each iteration connects, sends
// CALLS concurrent `echo` invokes, checks the answers and closes.
// sc_rpc_duration holds one sample per call, sc_sessions one per iteration.
import sc from 'k6/x/socketcluster';
import { check, sleep } from 'k6';

const URL = __ENV.URL || 'ws://127.0.0.1:8000/socketcluster/';
const CALLS = Number(__ENV.CALLS || 5);

export const options = {
  scenarios: {
    ramp: {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [
        { duration: __ENV.RAMP || '2s', target: Number(__ENV.PEAK_VUS || 3) },
        { duration: __ENV.HOLD || '1s', target: Number(__ENV.PEAK_VUS || 3) },
      ],
      gracefulRampDown: '5s',
    },
  },
  thresholds: {
    sc_errors: ['count==0'],
    sc_rpc_duration: ['p(95)<1000'],
    checks: ['rate==1'],
  },
};

export default function () {
  sleep(0.2);
  const socket = sc.connect(URL, { ackTimeout: 5000 });
  socket.on('connect', () => {
    const calls = [];
    for (let i = 0; i < CALLS; i++) {
      calls.push(socket.invoke('echo', { i, t: Date.now() }));
    }
    Promise.all(calls)
      .then((answers) => {
        check(answers, {
          'every echo answered with its own data': (a) =>
            a.length === CALLS && a.every((x, i) => x.i === i),
        });
      })
      .catch((err) => check(err, { 'no echo failed': () => false }))
      .finally(() => socket.close());
  });
}
