package scclient

import "time"

// StartBatch starts collecting outbound packets on the current connection
// (dropping any batch not flushed yet); FlushBatch sends them as one frame.
// Without a connection it does nothing.
func (s *Socket) StartBatch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.startBatch()
	}
}

// FlushBatch stops collecting and sends what was collected as one frame.
func (s *Socket) FlushBatch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.flushBatchLocked(s.conn)
	}
}

// CancelBatch stops collecting and drops what was collected; invokes in it
// later time out.
func (s *Socket) CancelBatch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil {
		s.conn.cancelBatch()
	}
}

// IsBatching reports whether StartBatching is in force (it survives
// reconnects).
func (s *Socket) IsBatching() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.isBatching
}

// IsBufferingBatch reports whether the current connection is collecting a
// batch (false without a connection).
func (s *Socket) IsBufferingBatch() bool {
	s.mu.Lock()
	c := s.conn
	s.mu.Unlock()
	return c != nil && c.isCollecting()
}

// StartBatching batches all outbound packets, sending them as one frame
// every BatchInterval, until StopBatching or CancelBatching. It survives
// reconnects.
func (s *Socket) StartBatching() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.isBatching = true
	if s.conn != nil {
		s.startBatchingTimerLocked(s.conn)
	}
}

// StopBatching stops batching and flushes what was collected.
func (s *Socket) StopBatching() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.isBatching = false
	if s.conn != nil {
		s.stopBatchingTimerLocked(s.conn)
		s.flushBatchLocked(s.conn)
	}
}

// CancelBatching stops batching and drops what was collected.
func (s *Socket) CancelBatching() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.isBatching = false
	if s.conn != nil {
		s.stopBatchingTimerLocked(s.conn)
		s.conn.cancelBatch()
	}
}

// startBatchingTimerLocked starts collecting on c and flushing every
// BatchInterval, unless the interval already runs.
func (s *Socket) startBatchingTimerLocked(c *conn) {
	if c.batchTimer != nil {
		return
	}
	c.startBatch()
	interval := s.opts.BatchInterval
	var t *time.Timer
	t = time.AfterFunc(interval, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if c.batchTimer != t {
			return
		}
		s.flushBatchLocked(c)
		c.startBatch()
		t.Reset(interval)
	})
	c.batchTimer = t
}

func (s *Socket) stopBatchingTimerLocked(c *conn) {
	if c.batchTimer != nil {
		c.batchTimer.Stop()
		c.batchTimer = nil
	}
}

func (s *Socket) flushBatchLocked(c *conn) {
	if err := c.flushBatch(); err != nil && err != ErrNotOpen {
		s.emitError(err)
	}
}
