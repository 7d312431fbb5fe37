// Auth + private channels: each iteration subscribes to a private channel
// with waitForAuth (the test server only lets authenticated sockets
// subscribe to private/...), logs in through the `login` procedure, and
// publishes MESSAGES messages to that channel once the subscription is
// accepted. A second socket reuses the signed token through the authToken
// option and must be authenticated by its handshake alone.
import sc from 'k6/x/socketcluster';
import { check } from 'k6';

const URL = __ENV.URL || 'ws://127.0.0.1:8000/socketcluster/';
const MESSAGES = Number(__ENV.MESSAGES || 5);
const USERS = ['alice', 'bob', 'charlie', 'david', 'kate'];

export const options = {
  vus: Number(__ENV.VUS || 2),
  iterations: Number(__ENV.ITERATIONS || 4),
  thresholds: {
    sc_errors: ['count==0'],
    checks: ['rate==1'],
  },
};

export default function () {
  const user = USERS[__VU % USERS.length];
  const channel = `private/${user}/${__ITER}`;
  const socket = sc.connect(URL, { ackTimeout: 5000 });
  socket.setTimeout(() => socket.close(), 15000);
  let got = 0;

  socket
    .subscribe(channel, { waitForAuth: true })
    .on('subscribe', () => {
      for (let i = 0; i < MESSAGES; i++) {
        socket.transmitPublish(channel, { from: user, i, t: Date.now() });
      }
    })
    .on('message', (data) => {
      got++;
      if (got === MESSAGES) {
        check(data, { 'private message from the logged-in user': (d) => d.from === user });
        reuseToken(socket.signedAuthToken, user);
        socket.close();
      }
    });

  socket.on('connect', (ev) => {
    if (!ev.isAuthenticated) {
      socket.invoke('login', { username: user }).catch((err) =>
        check(err, { 'login accepted': () => false }));
    }
  });
  socket.on('authenticate', (ev) => {
    check(ev, { 'token names the user': (e) => e.authToken.username === user });
  });
}

// reuseToken connects a second socket with a token obtained before and
// checks that the server authenticates it during the handshake.
function reuseToken(token, user) {
  const again = sc.connect(URL, { authToken: token });
  again.on('connect', (ev) => {
    check(ev, { 'stored token authenticates the handshake': (e) => e.isAuthenticated });
    check(again, { 'token claims are visible': (s) => s.authToken.username === user });
    again.close();
  });
}
