package scclient

import (
	"bytes"
	"io"
	"testing"
	"unsafe"
)

// follows reports whether b starts right where a ends in memory, as two
// messages copied one after the other into the same block do.
func follows(a, b []byte) bool {
	return unsafe.Add(unsafe.Pointer(unsafe.SliceData(a)), len(a)) == unsafe.Pointer(unsafe.SliceData(b))
}

// frameAtATime returns one of frames per Read, so that each arrives
// alone; after the last it calls atEnd, if set, and ends the stream, the
// way a read that would wait for the network comes after the data at hand.
type frameAtATime struct {
	frames [][]byte
	atEnd  func()
}

func (f *frameAtATime) Read(p []byte) (int, error) {
	if len(f.frames) == 0 {
		if f.atEnd != nil {
			f.atEnd()
		}
		return 0, io.EOF
	}
	n := copy(p, f.frames[0])
	if f.frames[0] = f.frames[0][n:]; len(f.frames[0]) == 0 {
		f.frames = f.frames[1:]
	}
	return n, nil
}

func TestWSReaderBurstSharesBlocks(t *testing.T) {
	// In one burst: messages of blockMsgMin..blockMsgMax bytes share a
	// block; a smaller or larger one gets memory of its own and leaves
	// the block to the next one that fits.
	sizes := []int{1000, 1000, blockMsgMin - 1, blockMsgMin, blockMsgMax, blockMsgMax + 1, 1000, 1000}
	shared := []bool{false, true, false, true, true, false, true, true} // follows the previous shared one
	var stream []byte
	for i, n := range sizes {
		stream = append(stream, serverFrame(true, false, opBinary, wsrPayload(n, uint32(i)))...)
	}
	r, sent := wsrOpenTCP(false)(t, stream, nil, 1<<20, false, noControl(t))
	<-sent
	var got [][]byte
	var prev []byte
	for i, n := range sizes {
		_, p, err := r.next()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(p, wsrPayload(n, uint32(i))) {
			t.Fatalf("message %d: wrong payload", i)
		}
		if cap(p) != len(p) && r.fitsBlock(n) {
			t.Errorf("message %d: capacity %d beyond its %d bytes, so an append would overwrite the next message", i, cap(p), len(p))
		}
		if i > 0 && follows(prev, p) != shared[i] {
			t.Errorf("message %d (%d bytes): follows the previous block message = %v, want %v", i, n, !shared[i], shared[i])
		}
		if i == 0 && cap(r.block) != 1000+1000+blockMsgMin+blockMsgMax+1000+1000 {
			t.Errorf("block of %d bytes, want room for exactly the messages that fit a block", cap(r.block))
		}
		if r.fitsBlock(n) {
			prev = p
		}
		got = append(got, p)
	}
	// An append to one message must not reach the one after it.
	_ = append(got[0], 0xff)
	if !bytes.Equal(got[1], wsrPayload(sizes[1], 1)) {
		t.Error("appending to a message changed the next one")
	}
	if _, _, err := r.next(); err != io.EOF {
		t.Fatalf("after the last message: %v, want io.EOF", err)
	}
	for i, p := range got[1:] {
		if !bytes.Equal(p, wsrPayload(sizes[i+1], uint32(i+1))) {
			t.Errorf("message %d changed after later messages were read", i+1)
		}
	}
	if r.block != nil {
		t.Errorf("the reader still holds a block of %d bytes with nothing buffered", cap(r.block))
	}
}

func TestWSReaderLoneMessagesGetOwnMemory(t *testing.T) {
	// A message that arrives alone must not start a block: with nothing
	// after it, the rest of the block would be wasted.
	var frames [][]byte
	for i := range 4 {
		frames = append(frames, serverFrame(true, false, opText, wsrPayload(1000, uint32(i))))
	}
	r := newWSReader(&frameAtATime{frames: frames}, nil, nil, 1<<20, false, noControl(t))
	var prev []byte
	for i := range 4 {
		_, p, err := r.next()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(p, wsrPayload(1000, uint32(i))) {
			t.Fatalf("message %d: wrong payload", i)
		}
		if r.block != nil {
			t.Fatalf("message %d arrived alone but started a block of %d bytes", i, cap(r.block))
		}
		if prev != nil && follows(prev, p) {
			t.Errorf("message %d shares memory with the one before it", i)
		}
		prev = p
	}
}

func TestWSReaderBlockIsSizedToTheBurst(t *testing.T) {
	// Two 1000-byte messages arrive together: their block holds the two of
	// them, not blockSize bytes.
	stream := wsrJoin(
		serverFrame(true, false, opText, wsrPayload(1000, 1)),
		serverFrame(true, false, opText, wsrPayload(1000, 2)),
	)
	r := newWSReader(&frameAtATime{frames: [][]byte{stream}}, nil, nil, 1<<20, false, noControl(t))
	_, a, err := r.next()
	if err != nil {
		t.Fatal(err)
	}
	if c := cap(r.block); c != 2000 {
		t.Errorf("block of %d bytes for a burst of 2×1000 bytes", c)
	}
	_, b, err := r.next()
	if err != nil {
		t.Fatal(err)
	}
	if !follows(a, b) {
		t.Error("the second message of the burst is not in the first one's block")
	}
}

func TestWSReaderBlockHoldsAtMostBlockSize(t *testing.T) {
	// Bytes read with the upgrade response can exceed the read buffer, so
	// a burst can hold more than a block: 40 messages of 1000 bytes fill
	// one block of 32 and a second of 8. A fragmented message in the
	// middle has memory of its own and takes no room in either block.
	var stream []byte
	var want [][]byte
	for i := range 40 {
		p := wsrPayload(1000, uint32(i))
		want = append(want, p)
		if i == 20 {
			stream = append(stream, serverFrame(false, false, opText, p[:500])...)
			stream = append(stream, serverFrame(true, false, opContinuation, p[500:])...)
			continue
		}
		stream = append(stream, serverFrame(true, false, opText, p)...)
	}
	r := newWSReader(bytes.NewReader(nil), nil, stream, 1<<20, false, noControl(t))
	var prev []byte
	var got [][]byte
	for i := range 40 {
		_, p, err := r.next()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(p, want[i]) {
			t.Fatalf("message %d: wrong payload", i)
		}
		got = append(got, p)
		switch {
		case i == 20:
			if follows(prev, p) {
				t.Error("the fragmented message was put in the block")
			}
			continue // prev stays the last message in a block
		case i == 0 && cap(r.block) != 32000:
			t.Errorf("first block: %d bytes, want 32000", cap(r.block))
		case i == 33 && (follows(prev, p) || cap(r.block) != 7000):
			t.Errorf("message 33: follows message 32 = %v, block of %d bytes; want a new block of 7000", follows(prev, p), cap(r.block))
		case i > 0 && i != 33 && !follows(prev, p):
			t.Errorf("message %d is not in the block right after the message before it", i)
		}
		prev = p
	}
	for i, p := range got {
		if !bytes.Equal(p, want[i]) {
			t.Errorf("message %d changed after later messages were read", i)
		}
	}
}

func TestWSReaderBlockCountsOnlyWhatItWillHold(t *testing.T) {
	// A message completed outside the read buffer (beyond half of a
	// connection's own 4 KiB buffer) or a compressed one never goes into a
	// block, so the block has no room for it.
	t.Run("beyond the buffer", func(t *testing.T) {
		stream := wsrJoin(
			serverFrame(true, false, opText, wsrPayload(300, 1)),
			serverFrame(true, false, opText, wsrPayload(3000, 2)),
			serverFrame(true, false, opText, wsrPayload(300, 3)),
		)
		r := newWSReader(bytes.NewReader(stream), nil, nil, 1<<20, false, noControl(t))
		if _, _, err := r.next(); err != nil {
			t.Fatal(err)
		}
		if c := cap(r.block); c != 600 {
			t.Errorf("block of %d bytes, want 600 for the two 300-byte messages", c)
		}
	})
	t.Run("compressed", func(t *testing.T) {
		packed := deflateMessage(t, wsrPayload(2000, 2))
		if len(packed) < blockMsgMin {
			t.Fatalf("compressed payload of %d bytes is too short for the test", len(packed))
		}
		stream := wsrJoin(
			serverFrame(true, false, opText, wsrPayload(1000, 1)),
			serverFrame(true, true, opText, packed),
			serverFrame(true, false, opText, wsrPayload(1000, 3)),
		)
		r := newWSReader(&frameAtATime{frames: [][]byte{stream}}, nil, nil, 1<<20, true, noControl(t))
		for i, want := range [][]byte{wsrPayload(1000, 1), wsrPayload(2000, 2), wsrPayload(1000, 3)} {
			_, p, err := r.next()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(p, want) {
				t.Fatalf("message %d: wrong payload", i)
			}
			if i == 0 && cap(r.block) != 2000 {
				t.Errorf("block of %d bytes, want 2000 for the two plain messages", cap(r.block))
			}
		}
	})
}

func TestWSReaderFullBlockIsLetGo(t *testing.T) {
	// A burst that ends inside a frame leaves the reader waiting with bytes
	// buffered; the block its messages filled must not stay with it.
	stream := wsrJoin(
		serverFrame(true, false, opText, wsrPayload(1000, 1)),
		serverFrame(true, false, opText, wsrPayload(1000, 2)),
		[]byte{0x81}, // the first byte of the next frame
	)
	var r *wsReader
	held := -1
	r = newWSReader(&frameAtATime{frames: [][]byte{stream}, atEnd: func() { held = cap(r.block) }}, nil, nil, 1<<20, false, noControl(t))
	for range 2 {
		if _, _, err := r.next(); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := r.next(); err != io.ErrUnexpectedEOF {
		t.Fatalf("after the cut frame: %v, want io.ErrUnexpectedEOF", err)
	}
	if held != 0 {
		t.Errorf("the reader waited for the network holding a full block of %d bytes", held)
	}
}
