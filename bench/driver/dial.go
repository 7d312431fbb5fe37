package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/socketcluster-go/scclient"
)

// handshakeLimit bounds one connection's dial and handshake.
const handshakeLimit = 15 * time.Second

// dial opens a socket to the server and waits for its handshake. The socket
// never reconnects; the driver keeps no consumer on it afterwards.
func dial(ctx context.Context, cfg config) (*scclient.Socket, error) {
	s, err := scclient.Create(scclient.Options{
		URL:                  cfg.URL,
		ProtocolVersion:      cfg.Protocol,
		DisableAutoConnect:   true,
		DisableAutoReconnect: true,
	})
	if err != nil {
		return nil, err
	}
	events := s.Listener(scclient.EventConnect, scclient.EventClose).CreateConsumer(0)
	defer events.Close()
	if err := s.Connect(); err != nil {
		s.Close()
		return nil, err
	}
	wait, cancel := context.WithTimeout(ctx, handshakeLimit)
	defer cancel()
	ev, ok, err := events.Next(wait)
	switch {
	case err != nil:
		err = fmt.Errorf("handshake: %w", err)
	case !ok:
		err = errors.New("handshake: the socket's events ended")
	case ev.Name == scclient.EventClose:
		err = fmt.Errorf("connection closed before the handshake: %d %s", ev.Code, ev.Reason)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}
