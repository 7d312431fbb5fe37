//go:build unix

package scclient

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t *testing.T) (*net.TCPConn, *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	a, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	b := <-accepted
	require.NotNil(t, b)
	t.Cleanup(func() { a.Close(); b.Close() })
	return a.(*net.TCPConn), b.(*net.TCPConn)
}

func TestRawWriterWaitsForRoomAndDeliversEverything(t *testing.T) {
	a, b := tcpPair(t)
	raw := rawConnOf(a)
	require.NotNil(t, raw)
	// Far more than the socket buffers hold, so the write must wait for the
	// peer to read several times.
	want := bytes.Repeat([]byte("0123456789abcdef"), 1<<20)
	got := make(chan []byte, 1)
	go func() {
		buf, _ := io.ReadAll(io.LimitReader(b, int64(len(want))))
		got <- buf
	}()
	n, err := newRawWriter(raw).write(want)
	require.NoError(t, err)
	require.Equal(t, len(want), n)
	require.True(t, bytes.Equal(want, <-got), "the peer received different bytes")
}

func TestRawWriterHonoursTheWriteDeadline(t *testing.T) {
	a, _ := tcpPair(t) // the peer never reads
	raw := rawConnOf(a)
	p := make([]byte, 64<<20)
	require.NoError(t, a.SetWriteDeadline(time.Now().Add(100*time.Millisecond)))
	start := time.Now()
	n, err := newRawWriter(raw).write(p)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	require.Greater(t, n, 0, "what fitted in the socket buffers is reported as written")
	require.Less(t, n, len(p))
	require.Less(t, time.Since(start), 5*time.Second)
}

func TestRawWriterReportsABrokenConnection(t *testing.T) {
	a, b := tcpPair(t)
	raw := rawConnOf(a)
	require.NoError(t, b.SetLinger(0))
	require.NoError(t, b.Close()) // reset: writes fail from now on
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for err == nil && time.Now().Before(deadline) {
		_, err = newRawWriter(raw).write(make([]byte, 1<<10))
	}
	var se *os.SyscallError
	require.True(t, errors.As(err, &se), "got %v", err)
}

func TestRawWriterAfterCloseFails(t *testing.T) {
	a, _ := tcpPair(t)
	raw := rawConnOf(a)
	require.NoError(t, a.Close())
	_, err := newRawWriter(raw).write([]byte("x"))
	require.Error(t, err)
}

// Writes through the descriptor fail like net.Conn writes: an *net.OpError
// for "write" around the cause.
func TestCorkConnWriteErrorsLookLikeNetConnErrors(t *testing.T) {
	a, b := tcpPair(t)
	cc := &corkConn{Conn: a, raw: rawConnOf(a)}
	require.NoError(t, b.SetLinger(0))
	require.NoError(t, b.Close())
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for err == nil && time.Now().Before(deadline) {
		_, err = cc.Write(make([]byte, 1<<10))
	}
	var oe *net.OpError
	require.True(t, errors.As(err, &oe), "got %T %v", err, err)
	require.Equal(t, "write", oe.Op)
	var se *os.SyscallError
	require.True(t, errors.As(err, &se), "got %v", err)

	c, _ := tcpPair(t)
	cc = &corkConn{Conn: c, raw: rawConnOf(c)}
	require.NoError(t, c.SetWriteDeadline(time.Now().Add(-time.Second)))
	_, err = cc.Write([]byte("x"))
	require.True(t, errors.As(err, &oe), "got %T %v", err, err)
	require.Equal(t, "write", oe.Op)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var ne net.Error
	require.True(t, errors.As(err, &ne) && ne.Timeout())
}

// A connection's writes reuse one callback: writing a frame allocates
// nothing (the bench figure for RPCs counted 2.4 allocations per call in
// the old closure).
func TestCorkConnWriteAllocatesNothing(t *testing.T) {
	a, b := tcpPair(t)
	go func() { _, _ = io.Copy(io.Discard, b) }()
	cc := &corkConn{Conn: a, raw: rawConnOf(a)}
	frame := bytes.Repeat([]byte("x"), 64)
	_, err := cc.Write(frame) // the writer is made on the first write
	require.NoError(t, err)
	allocs := testing.AllocsPerRun(200, func() {
		if _, err := cc.Write(frame); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}

// writeBy waits for room at most until its deadline, and reports what
// fitted before it gave up.
func TestCorkConnWriteByHonoursItsDeadlineWhenItWaits(t *testing.T) {
	a, _ := tcpPair(t) // the peer never reads
	cc := &corkConn{Conn: a, raw: rawConnOf(a)}
	start := time.Now()
	err := cc.writeBy(make([]byte, 64<<20), start.Add(150*time.Millisecond))
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	var oe *net.OpError
	require.True(t, errors.As(err, &oe) && oe.Op == "write", "got %T %v", err, err)
	require.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	require.Less(t, time.Since(start), 5*time.Second)
}

// A write that had to wait clears the deadline it set, so a later write
// is not failed by a deadline that has passed meanwhile; and a write that
// finds room goes out even when its own deadline has passed (the deadline
// bounds the wait for room, nothing else).
func TestCorkConnWriteByLeavesNoDeadlineBehind(t *testing.T) {
	a, b := tcpPair(t)
	cc := &corkConn{Conn: a, raw: rawConnOf(a)}
	filled := fillSendBuffer(t, cc) // the next write must wait for the reader
	big := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	got := make(chan int, 1)
	release := make(chan struct{})
	go func() {
		<-release
		n, _ := io.Copy(io.Discard, b)
		got <- int(n)
	}()
	go func() {
		time.Sleep(50 * time.Millisecond)
		close(release)
	}()
	require.NoError(t, cc.writeBy(big, time.Now().Add(300*time.Millisecond)))
	time.Sleep(350 * time.Millisecond) // the waiting write's deadline is now past
	require.NoError(t, cc.writeBy([]byte("after"), time.Now().Add(time.Second)))
	require.NoError(t, cc.writeBy([]byte("late"), time.Now().Add(-time.Second)))
	require.NoError(t, a.CloseWrite())
	require.Equal(t, filled+len(big)+len("after")+len("late"), <-got)
}

// writeBy that does not wait, nearly every write, allocates nothing.
func TestCorkConnWriteByAllocatesNothing(t *testing.T) {
	a, b := tcpPair(t)
	go func() { _, _ = io.Copy(io.Discard, b) }()
	cc := &corkConn{Conn: a, raw: rawConnOf(a)}
	frame := bytes.Repeat([]byte("x"), 64)
	require.NoError(t, cc.writeBy(frame, time.Now().Add(time.Second)))
	deadline := time.Now().Add(time.Minute)
	allocs := testing.AllocsPerRun(200, func() {
		if err := cc.writeBy(frame, deadline); err != nil {
			t.Fatal(err)
		}
	})
	require.Zero(t, allocs)
}
