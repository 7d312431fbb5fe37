// Package faultproxy is a loopback TCP proxy for fault-injection tests. It
// sits between a client and a real server, forwards every connection it
// accepts, and on command breaks them in the ways networks break:
//
//   - Cut closes every connection at once, with a reset (RST) or an
//     orderly close (FIN);
//   - Stall stops forwarding one direction (the bytes wait in the proxy and
//     in the kernel buffers) until Resume;
//   - SetDelay holds every chunk for a while before forwarding it;
//   - SetThrottle limits each direction to some bytes per second;
//   - SetHalfOpen keeps both TCP connections open while it drops every
//     byte and hides a close from either side, the way a dead link or a
//     crashed middlebox looks to the peers; when it ends, the connections
//     that lost bytes are reset;
//   - SetRefuse closes new connections as soon as they are accepted.
//
// A proxy listens on 127.0.0.1 on a free port:
//
//	p, err := faultproxy.New("127.0.0.1:8000")
//	defer p.Close()
//	url := "ws://" + p.Addr() + "/socketcluster/"
//	p.Cut(faultproxy.RST)
//
// NewTLS makes the proxy terminate TLS on its listening side, which puts a
// wss:// endpoint in front of a server that only speaks plain TCP.
//
// Every method is safe for concurrent use. Close stops the listener,
// closes every connection and waits for the proxy's goroutines to end.
package faultproxy
