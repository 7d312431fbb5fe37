package cli

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/socketcluster-go/scclient"
	"github.com/socketcluster-go/scclient/streams"
)

// session is one socket kept open by subscribe, listen, receive and shell:
// it prints what arrives on the streams it was asked to follow, reports the
// connection's ups and downs on stderr and notices when it is lost for good.
type session struct {
	sock *scclient.Socket
	out  *printer
	d    *diag
	// failOnSubscribeFail makes a refused subscription end the session.
	failOnSubscribeFail bool
	hasToken            bool

	mu        sync.Mutex
	channels  map[string]*streams.Consumer[string, scclient.Data]
	receivers map[string]*streams.Consumer[string, scclient.Data]
	listeners []listenConsumer
	awaiting  map[string]int // channels whose subscription a caller reports

	wg      sync.WaitGroup
	closing atomic.Bool
	fatal   chan error // the first error that ends the session
}

type listenConsumer struct {
	names []string
	c     *streams.Consumer[string, scclient.Event]
}

// watchedEvents are the events the session reports on stderr.
var watchedEvents = []string{
	scclient.EventConnect, scclient.EventDisconnect, scclient.EventConnectAbort,
	scclient.EventSubscribe, scclient.EventSubscribeFail, scclient.EventKickOut,
	scclient.EventAuthenticate, scclient.EventDeauthenticate,
}

func newSession(sock *scclient.Socket, out *printer, d *diag, hasToken bool) *session {
	s := &session{
		sock: sock, out: out, d: d, hasToken: hasToken,
		channels:  map[string]*streams.Consumer[string, scclient.Data]{},
		receivers: map[string]*streams.Consumer[string, scclient.Data]{},
		awaiting:  map[string]int{},
		fatal:     make(chan error, 1),
	}
	watch := sock.Listener(watchedEvents...).CreateConsumer(0)
	s.wg.Add(1)
	go s.watch(watch)
	return s
}

// fail ends the session with err, unless it already ended.
func (s *session) fail(err error) {
	select {
	case s.fatal <- err:
	default:
	}
}

// Fatal delivers the error that ended the session.
func (s *session) Fatal() <-chan error { return s.fatal }

// close closes the socket and waits for every goroutine of the session.
func (s *session) close() {
	s.closing.Store(true)
	s.sock.Close()
	s.wg.Wait()
}

// watch reports connection and subscription events on stderr.
func (s *session) watch(c *streams.Consumer[string, scclient.Event]) {
	defer s.wg.Done()
	connects := 0
	for ev := range c.All() {
		if s.closing.Load() {
			continue
		}
		switch ev.Name {
		case scclient.EventConnect:
			connects++
			if connects > 1 {
				s.d.infof("reconnected (id %s)", ev.ID)
				if s.hasToken && !ev.IsAuthenticated {
					s.d.warnf("the token was not accepted on reconnect: %s", authWhy(ev.AuthError))
				}
			}
		case scclient.EventDisconnect, scclient.EventConnectAbort:
			if connects > 0 { // dial reports a failed first connect
				s.lost(ev)
			}
		case scclient.EventSubscribe:
			s.takeAwaited(ev.Channel)
			s.d.infof("subscribed to %s", ev.Channel)
		case scclient.EventSubscribeFail:
			err := fmt.Errorf("subscription to %s failed: %s", ev.Channel, errorText(ev.Error))
			if s.takeAwaited(ev.Channel) {
				continue
			}
			if s.failOnSubscribeFail {
				s.fail(withCode(ExitFailure, err))
			} else {
				s.d.errorf("%v", err)
			}
		case scclient.EventKickOut:
			s.d.infof("kicked out of %s: %s", ev.Channel, ev.Message)
		case scclient.EventAuthenticate:
			s.d.infof("authenticated")
		case scclient.EventDeauthenticate:
			s.d.infof("deauthenticated")
		}
	}
}

// lost reports a closed connection and whether a reconnect will follow.
func (s *session) lost(ev scclient.Event) {
	if d, ok := s.sock.PendingReconnectTimeout(); ok {
		s.d.infof("connection lost (%d %s); reconnecting in %v", ev.Code, ev.Reason, d.Round(time.Millisecond))
		return
	}
	if s.sock.State() != scclient.StateClosed {
		return
	}
	err := fmt.Errorf("connection closed (%d %s) and not reconnecting", ev.Code, ev.Reason)
	s.d.errorf("%v", err)
	s.fail(withCode(ExitConnection, err))
}

func authWhy(err error) string {
	if err == nil {
		return "no reason given"
	}
	return errorText(err)
}

// follow prints every value of a consumer with line until the consumer ends.
func follow[T any](s *session, c *streams.Consumer[string, T], line func(T) []byte) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for v := range c.All() {
			s.out.line(line(v))
		}
	}()
}

// addChannel starts printing a channel's messages (once per channel).
func (s *session) addChannel(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.channels[name]; ok {
		return
	}
	c := s.sock.Channel(name).CreateConsumer(0)
	s.channels[name] = c
	follow(s, c, func(d scclient.Data) []byte { return messageLine(name, d) })
}

// subscribe subscribes to channels and prints their messages. With wait it
// returns once the server answered every subscription (or the ack timeout
// passed), reporting refusals as an error.
func (s *session) subscribe(ctx context.Context, names []string, opts scclient.SubscribeOptions, wait bool) error {
	var outcome *streams.Consumer[string, scclient.Event]
	if wait {
		outcome = s.sock.Listener(scclient.EventSubscribe, scclient.EventSubscribeFail).CreateConsumer(0)
		defer outcome.Close()
	}
	pending := map[string]bool{}
	if wait && opts.WaitForAuth && s.sock.AuthState() != scclient.Authenticated {
		wait = false // nothing to wait for until a login
		s.d.infof("%s waits for authentication", strings.Join(names, ", "))
	}
	for _, n := range names {
		s.addChannel(n)
		if wait && s.sock.ChannelState(n) != scclient.ChannelSubscribed {
			pending[n] = true
			s.await(n, 1)
		}
		s.sock.Subscribe(n, opts)
	}
	if !wait || len(pending) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.sock.AckTimeout())
	defer cancel()
	var failed []string
	for len(pending) > 0 {
		ev, ok, err := outcome.Next(ctx)
		if err != nil || !ok {
			left := slices.Sorted(maps.Keys(pending))
			s.d.infof("still pending: %s", strings.Join(left, ", "))
			for _, n := range left {
				s.await(n, -1)
			}
			break
		}
		if !pending[ev.Channel] {
			continue
		}
		delete(pending, ev.Channel)
		if ev.Name == scclient.EventSubscribeFail {
			failed = append(failed, ev.Channel+": "+errorText(ev.Error))
		}
	}
	if len(failed) > 0 {
		return withCode(ExitFailure, fmt.Errorf("subscription failed: %s", strings.Join(failed, "; ")))
	}
	return nil
}

// await counts the outcomes of a channel's subscription that a waiting
// subscribe reports itself (delta 1), or no longer expects (delta -1).
func (s *session) await(name string, delta int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.awaiting[name] += delta
	if s.awaiting[name] <= 0 {
		delete(s.awaiting, name)
	}
}

// takeAwaited consumes one awaited outcome of a channel, reporting whether
// there was one, so the watcher does not report it a second time.
func (s *session) takeAwaited(name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.awaiting[name] <= 0 {
		return false
	}
	s.awaiting[name]--
	if s.awaiting[name] == 0 {
		delete(s.awaiting, name)
	}
	return true
}

// unsubscribe unsubscribes from channels and stops printing them.
func (s *session) unsubscribe(names []string) {
	for _, n := range names {
		s.sock.Unsubscribe(n)
		s.mu.Lock()
		c := s.channels[n]
		delete(s.channels, n)
		s.mu.Unlock()
		if c != nil {
			c.Close()
		}
	}
}

// listen prints the socket events named (every event when none is named),
// in the order the socket emitted them.
func (s *session) listen(names []string) {
	c := s.sock.Listener(names...).CreateConsumer(0)
	s.mu.Lock()
	s.listeners = append(s.listeners, listenConsumer{names: names, c: c})
	s.mu.Unlock()
	follow(s, c, eventLine)
}

// unlisten stops listeners that follow any of names, or all without names.
func (s *session) unlisten(names []string) int {
	s.mu.Lock()
	var keep, stop []listenConsumer
	for _, l := range s.listeners {
		if len(names) == 0 || len(l.names) == 0 || slices.ContainsFunc(names, func(n string) bool { return slices.Contains(l.names, n) }) {
			stop = append(stop, l)
		} else {
			keep = append(keep, l)
		}
	}
	s.listeners = keep
	s.mu.Unlock()
	for _, l := range stop {
		l.c.Close()
	}
	return len(stop)
}

// receive prints the server's transmits of the events named.
func (s *session) receive(names []string) {
	for _, n := range names {
		s.mu.Lock()
		if _, ok := s.receivers[n]; ok {
			s.mu.Unlock()
			continue
		}
		c := s.sock.Receiver(n).CreateConsumer(0)
		s.receivers[n] = c
		s.mu.Unlock()
		follow(s, c, func(d scclient.Data) []byte { return receiveLine(n, d) })
	}
}

// unreceive stops printing the receivers named, or all without names.
func (s *session) unreceive(names []string) {
	s.mu.Lock()
	var stop []*streams.Consumer[string, scclient.Data]
	for n, c := range s.receivers {
		if len(names) == 0 || slices.Contains(names, n) {
			stop = append(stop, c)
			delete(s.receivers, n)
		}
	}
	s.mu.Unlock()
	for _, c := range stop {
		c.Close()
	}
}
