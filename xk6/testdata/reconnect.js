// Each iteration reconnects once from the script and closes on the second
// connect: two sessions and one reconnect per iteration, no errors.
import sc from 'k6/x/socketcluster';

export const options = { vus: 1, iterations: Number(__ENV.ITERATIONS || 2), thresholds: { sc_errors: ['count==0'] } };

export default function () {
  const socket = sc.connect(__ENV.URL);
  socket.setTimeout(() => socket.close(), 15000);
  let connects = 0;
  socket.on('connect', () => {
    connects++;
    if (connects === 1) {
      socket.reconnect();
    } else {
      socket.close();
    }
  });
}
