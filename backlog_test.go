package scclient

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketcluster-go/scclient/streams"
)

func TestSlowReceiverIsBoundedAndReported(t *testing.T) {
	srv := startServer(t, nil)
	s := newSocket(t, srv.URL(), Options{MaxBacklog: 5})
	errs := watch(t, s, EventError)
	slow := s.Receiver("tick").CreateConsumer(0)
	for i := 0; i < 20; i++ {
		_, err := s.Invoke(ctxT(t, 5*time.Second), "serverTransmit", map[string]any{"event": "tick", "data": i})
		require.NoError(t, err)
	}
	ev := errs.next(5 * time.Second)
	var sce *SlowConsumerError
	require.True(t, errors.As(ev.Error, &sce), "got %v", ev.Error)
	require.Equal(t, "receiver", sce.Family)
	require.Equal(t, "tick", sce.Stream)
	require.Equal(t, slow.ID(), sce.ConsumerID)
	require.Equal(t, streams.DropOldest, sce.Policy)
	require.Equal(t, "SlowConsumerError", sce.SCError.Name)
	// Reported once, not once per dropped value.
	require.Empty(t, errs.names(200*time.Millisecond))

	require.Equal(t, uint64(15), slow.Dropped())
	var got []string
	for slow.Backpressure() > 0 {
		v, _, err := slow.Next(ctxT(t, time.Second))
		require.NoError(t, err)
		got = append(got, v.String())
	}
	require.Equal(t, []string{"15", "16", "17", "18", "19"}, got)
}

func TestSlowChannelConsumerClosedByPolicy(t *testing.T) {
	srv := startServer(t, nil)
	s, w := newWatchedSocket(t, srv.URL(), Options{MaxBacklog: 3, BacklogPolicy: streams.CloseConsumer}, EventSubscribe, EventError)
	ch := s.Subscribe("flood")
	slow := ch.CreateConsumer(0)
	fast := ch.CreateConsumer(0)
	fast.SetMaxBacklog(0, streams.DropOldest) // this one is unbounded
	w.waitFor(EventSubscribe, 5*time.Second)
	for i := 0; i < 10; i++ {
		require.NoError(t, ch.InvokePublish(ctxT(t, 5*time.Second), i))
	}
	ev := w.waitFor(EventError, 5*time.Second)
	var sce *SlowConsumerError
	require.True(t, errors.As(ev.Error, &sce), "got %v", ev.Error)
	require.Equal(t, "channel", sce.Family)
	require.Equal(t, streams.CloseConsumer, sce.Policy)
	_, ok, err := slow.Next(ctxT(t, time.Second))
	require.NoError(t, err)
	require.False(t, ok, "the slow consumer was ended")
	require.ErrorIs(t, slow.Err(), streams.ErrSlowConsumer)
	for i := 0; i < 10; i++ {
		v, ok, err := fast.Next(ctxT(t, 5*time.Second))
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, fmt.Sprint(i), v.String())
	}
}

func TestBacklogOptionsAreChecked(t *testing.T) {
	_, err := Create(Options{DisableAutoConnect: true, MaxBacklog: -1})
	var iae *InvalidArgumentsError
	require.True(t, errors.As(err, &iae))
	_, err = Create(Options{DisableAutoConnect: true, BacklogPolicy: 9})
	require.True(t, errors.As(err, &iae))
}
