// Every iteration makes one invoke of the `fail` procedure and one
// subscription to the always-forbidden channel: both must reject and be
// counted in sc_errors.
import sc from 'k6/x/socketcluster';
import { check } from 'k6';

export const options = { vus: 1, iterations: Number(__ENV.ITERATIONS || 3) };

export default function () {
  const socket = sc.connect(__ENV.URL, { ackTimeout: 5000 });
  socket.setTimeout(() => socket.close(), 15000);
  let pending = 2;
  const done = () => {
    pending--;
    if (pending === 0) socket.close();
  };
  socket.on('connect', () => {
    socket
      .invoke('fail')
      .then(() => check(null, { 'fail rejects': () => false }))
      .catch((err) =>
        check(err, {
          'fail rejects with CustomError': (e) => e.name === 'CustomError',
          'error keeps its fields': (e) => e.code === 42 && e.message === 'custom failure',
        }))
      .finally(done);
  });
  socket.subscribe('forbidden').on('subscribeFail', (ev) => {
    check(ev, { 'forbidden subscription fails': (e) => e.error.name === 'ForbiddenSubscribeError' });
    done();
  });
}
