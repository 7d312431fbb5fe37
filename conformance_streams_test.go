package scclient

// Conformance: the "Consumable streams" block of the JavaScript client's
// integration suite.

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/socketcluster-go/scclient/streams"
)

// confChannelEvent writes a custom event to a channel's listener stream,
// the Go form of the suite's channel._eventDemux.write('<channel>/<event>', data).
func confChannelEvent(s *Socket, channel, event, text string) {
	s.channelListeners.get().Write(ChannelEventKey{channel, event}, Event{
		Name:    event,
		Channel: channel,
		Message: Data{raw: []byte(`"` + text + `"`), codec: s.codec},
	})
}

// confCloseChannelEvent closes a channel's listener stream, the suite's
// channel._eventDemux.close('<channel>/<event>').
func confCloseChannelEvent(s *Socket, channel, event string) {
	s.channelListeners.get().Close(ChannelEventKey{channel, event})
}

// confText decodes a JSON string payload.
func confText(t *testing.T, d Data) string {
	t.Helper()
	var v string
	require.NoError(t, d.Decode(&v))
	return v
}

// Consumable streams: "Should be able to get the stats list of consumers and check if consumers exist on specific channels"
//
// Each `for await` over a channel listener is a consumer created with
// CreateConsumer; the JavaScript loops never receive anything either.
func TestConformance_ShouldBeAbleToGetTheStatsListOfConsumersAndCheckIfConsumersExistOnSpecificChannels(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) { o.DisableAutoConnect = false })

	foo := s.Channel("foo")
	foo.Listener(EventSubscribe).CreateConsumer(0)
	foo.Listener(EventSubscribe).CreateConsumer(0)
	foo.Listener(EventSubscribeFail).CreateConsumer(0)
	foo.Listener("customEvent").CreateConsumer(0)
	s.Channel("bar").Listener(EventSubscribe).CreateConsumer(0)

	fooStats := s.ChannelAllListenersConsumerStatsList("foo")
	barStats := s.ChannelAllListenersConsumerStatsList("bar")

	require.Len(t, fooStats, 4)
	require.Equal(t, uint64(1), fooStats[0].ID)
	require.Equal(t, "foo/subscribe", fooStats[0].Stream)
	require.Equal(t, uint64(2), fooStats[1].ID)
	require.Equal(t, uint64(3), fooStats[2].ID)
	require.Equal(t, uint64(4), fooStats[3].ID)
	require.Equal(t, "foo/customEvent", fooStats[3].Stream)

	require.Len(t, barStats, 1)
	require.Equal(t, uint64(5), barStats[0].ID)
	require.Equal(t, "bar/subscribe", barStats[0].Stream)

	require.True(t, s.ChannelHasAnyListenerConsumer("foo", 1))
	require.True(t, s.ChannelHasAnyListenerConsumer("foo", 4))
	require.False(t, s.ChannelHasAnyListenerConsumer("foo", 5))
	require.True(t, s.ChannelHasAnyListenerConsumer("bar", 5))
}

// confReadAll reads a consumer until its stream ends, pausing after each
// value; before each pause it calls record (when not nil). It returns the
// text payloads.
func confReadAll(c *streams.Consumer[ChannelEventKey, Event], pause time.Duration, record func()) ([]string, error) {
	var out []string
	ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
	defer cancel()
	for {
		ev, ok, err := c.Next(ctx)
		if err != nil {
			return out, err
		}
		if !ok {
			return out, nil
		}
		if record != nil {
			record()
		}
		var v string
		if err := ev.Message.Decode(&v); err != nil {
			return out, err
		}
		out = append(out, v)
		time.Sleep(pause)
	}
}

// Consumable streams: "Should be able to check the listener backpressure for specific channels"
//
// The JavaScript loops create their consumers, then the writer runs to
// completion before any loop takes a value; the Go test creates the
// consumers, writes and closes, then runs the loops on their own
// goroutines. Each loop records the channel's listener backpressure after
// taking a value, as the suite does.
func TestConformance_ShouldBeAbleToCheckTheListenerBackpressureForSpecificChannels(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), func(o *Options) { o.DisableAutoConnect = false })

	fooEvents := s.Channel("foo").Listener("customEvent").CreateConsumer(0)
	barEvents := s.Channel("bar").Listener("customEvent").CreateConsumer(0)

	for i := 0; i < 20; i++ {
		confChannelEvent(s, "foo", "customEvent", fmt.Sprintf("message%d", i))
	}
	confChannelEvent(s, "bar", "customEvent", "hi0")
	confChannelEvent(s, "bar", "customEvent", "hi1")
	confChannelEvent(s, "bar", "anotherEvent", "hi2")
	confCloseChannelEvent(s, "bar", "customEvent")
	confCloseChannelEvent(s, "bar", "anotherEvent")
	confCloseChannelEvent(s, "foo", "customEvent")

	type result struct {
		backpressures []int
		err           error
	}
	run := func(c *streams.Consumer[ChannelEventKey, Event], channel string, pause time.Duration) <-chan result {
		done := make(chan result, 1)
		go func() {
			var r result
			_, r.err = confReadAll(c, pause, func() {
				r.backpressures = append(r.backpressures, s.ChannelAllListenersBackpressure(channel))
			})
			done <- r
		}()
		return done
	}
	fooDone := run(fooEvents, "foo", 50*time.Millisecond)
	barDone := run(barEvents, "bar", 20*time.Millisecond)
	foo, bar := <-fooDone, <-barDone
	require.NoError(t, foo.err)
	require.NoError(t, bar.err)

	require.Len(t, foo.backpressures, 20)
	require.Equal(t, 20, foo.backpressures[0])
	require.Equal(t, 19, foo.backpressures[1])
	require.Equal(t, 1, foo.backpressures[19])

	require.Len(t, bar.backpressures, 2)
	require.Equal(t, 2, bar.backpressures[0])
	require.Equal(t, 1, bar.backpressures[1])

	require.Zero(t, s.ChannelAllListenersBackpressure("foo"))
	require.Zero(t, s.ChannelAllListenersBackpressure("bar"))
}

// Consumable streams: "Should be able to kill and close channels and backpressure should update accordingly"
//
// The JavaScript outcome rests on its event loop: the writer's synchronous
// part runs before any loop takes a value, all 50 published messages are
// in before the bar loop's first check, the bar listener loop is done long
// before the bar message loop, and both wait for their next value when the
// channel is closed. The Go test pins that interleaving: the consumers
// exist first; the writer's part runs (with the five bar events and the
// backpressure check of 5 moved before the 50 publishes, so that no
// message can have arrived yet); the foo loop starts after the kill; the
// bar listener loop takes its five events; the bar message loop starts
// once the 50 messages are queued; the 600 ms wait becomes waiting for
// both bar loops to have taken everything; and the loops wait for the end
// of their streams only after the check that closing the channel leaves
// one end packet queued.
func TestConformance_ShouldBeAbleToKillAndCloseChannelsAndBackpressureShouldUpdateAccordingly(t *testing.T) {
	srv := confServer(t)
	s := confClient(t, srv, confStorage(t, ""), nil)
	connects := confListen(t, s, EventConnect)
	require.NoError(t, s.Connect())
	connects.next()

	fooChannel := s.Channel("foo")
	barChannel := s.Subscribe("bar")
	barSubscribes := barChannel.Listener(EventSubscribe).CreateConsumer(0)
	ctx, cancel := context.WithTimeout(context.Background(), confDeadline)
	defer cancel()
	_, ok, err := barSubscribes.Next(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	barSubscribes.Close() // once() removes its consumer

	barOutput := barChannel.CreateConsumer(0)
	fooEventsC := fooChannel.Listener("customEvent").CreateConsumer(0)
	barEventsC := barChannel.Listener("customEvent").CreateConsumer(0)

	// The writer's synchronous part.
	for i := 0; i < 20; i++ {
		confChannelEvent(s, "foo", "customEvent", fmt.Sprintf("message%d", i))
	}
	for i := 0; i < 5; i++ {
		confChannelEvent(s, "bar", "customEvent", fmt.Sprintf("hi%d", i))
	}
	require.Equal(t, 5, s.ChannelBackpressure("bar"))
	for i := 0; i < 50; i++ {
		require.NoError(t, barChannel.TransmitPublish(fmt.Sprintf("hello%d", i)))
	}
	confCloseChannelEvent(s, "foo", "customEvent")
	s.KillChannel("foo")

	fooEvents, err := confReadAll(fooEventsC, 50*time.Millisecond, nil)
	require.NoError(t, err)

	// The bar listener loop takes its five events.
	var barEvents []string
	for i := 0; i < 5; i++ {
		ev, ok, err := barEventsC.Next(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		barEvents = append(barEvents, confText(t, ev.Message))
		time.Sleep(20 * time.Millisecond)
	}

	// The bar message loop starts once every message is in.
	for barOutput.Backpressure() < 50 {
		require.NoError(t, ctx.Err(), "only %d of the 50 messages arrived", barOutput.Backpressure())
		time.Sleep(5 * time.Millisecond)
	}
	var barMessages []string
	var barBackpressures, allBackpressures []int
	for i := 0; i < 50; i++ {
		m, ok, err := barOutput.Next(ctx)
		require.NoError(t, err)
		require.True(t, ok)
		time.Sleep(10 * time.Millisecond)
		require.Equal(t, s.ChannelBackpressure("bar"), barChannel.Backpressure())
		barBackpressures = append(barBackpressures, s.ChannelBackpressure("bar"))
		allBackpressures = append(allBackpressures, s.AllChannelsBackpressure())
		barMessages = append(barMessages, confText(t, m))
	}

	require.Zero(t, s.ChannelBackpressure("bar"))
	s.CloseChannel("bar")
	require.Equal(t, 1, s.ChannelBackpressure("bar"))

	// Both bar loops now find the end of their streams.
	_, ok, err = barOutput.Next(ctx)
	require.NoError(t, err)
	require.False(t, ok, "the bar message stream must end after the close")
	_, ok, err = barEventsC.Next(ctx)
	require.NoError(t, err)
	require.False(t, ok, "the bar listener stream must end after the close")

	require.Empty(t, fooEvents)

	require.Len(t, barEvents, 5)
	require.Equal(t, "hi0", barEvents[0])
	require.Equal(t, "hi1", barEvents[1])
	require.Equal(t, "hi4", barEvents[4])

	require.Len(t, barMessages, 50)
	require.Equal(t, "hello0", barMessages[0])
	require.Equal(t, "hello49", barMessages[49])

	require.Zero(t, s.ChannelAllListenersBackpressure("foo"))
	require.Len(t, s.ChannelAllListenersConsumerStatsList("bar"), 0)
	require.Zero(t, s.ChannelAllListenersBackpressure("bar"))

	require.Len(t, barBackpressures, 50)
	require.Equal(t, 49, barBackpressures[0])
	require.Equal(t, 0, barBackpressures[49])

	require.Len(t, allBackpressures, 50)
	require.Equal(t, 49, allBackpressures[0])
	require.Equal(t, 0, allBackpressures[49])
}
