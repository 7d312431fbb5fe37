// Pub/sub fan-out: every iteration opens SUBSCRIBERS sockets on a channel of
// its own and one publisher socket. Once every subscriber is subscribed the
// publisher sends MESSAGES messages carrying a `t` timestamp, so
// sc_publish_latency measures publish-to-delivery time. Each subscriber
// closes when it has them all, so sc_msgs_received = MESSAGES × SUBSCRIBERS
// per iteration.
import sc from 'k6/x/socketcluster';
import { check } from 'k6';

const URL = __ENV.URL || 'ws://127.0.0.1:8000/socketcluster/';
const SUBSCRIBERS = Number(__ENV.SUBSCRIBERS || 3);
const MESSAGES = Number(__ENV.MESSAGES || 20);
const GIVE_UP_MS = 15000;

export const options = {
  vus: Number(__ENV.VUS || 2),
  iterations: Number(__ENV.ITERATIONS || 4),
  thresholds: {
    sc_errors: ['count==0'],
    checks: ['rate==1'],
  },
};

export default function () {
  const channel = `fanout/${__VU}/${__ITER}`;
  const publisher = sc.connect(URL, { ackTimeout: 5000 });
  publisher.setTimeout(() => publisher.close(), GIVE_UP_MS);

  let subscribed = 0;
  let finished = 0;

  for (let i = 0; i < SUBSCRIBERS; i++) {
    const socket = sc.connect(URL);
    socket.setTimeout(() => socket.close(), GIVE_UP_MS);
    let next = 0;
    let inOrder = true;
    socket
      .subscribe(channel)
      .on('subscribe', () => {
        subscribed++;
        if (subscribed === SUBSCRIBERS) {
          for (let seq = 0; seq < MESSAGES; seq++) {
            publisher.transmitPublish(channel, { seq, t: Date.now() });
          }
        }
      })
      .on('message', (data) => {
        inOrder = inOrder && data.seq === next;
        next++;
        if (next === MESSAGES) {
          check(next, {
            'subscriber got every message': (n) => n === MESSAGES,
            'messages arrived in order': () => inOrder,
          });
          socket.close();
          finished++;
          if (finished === SUBSCRIBERS) {
            publisher.close();
          }
        }
      });
  }
}
