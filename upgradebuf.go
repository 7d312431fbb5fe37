package scclient

import (
	"bufio"
	"errors"
	"reflect"
	"unsafe"

	"github.com/gorilla/websocket"
)

// brOffset is where websocket.Conn keeps the buffered reader the dialer
// read the HTTP upgrade response through, or ^uintptr(0) if this version of
// gorilla/websocket has no such field (TestUpgradeReaderIsFound fails then).
var brOffset = func() uintptr {
	f, ok := reflect.TypeFor[websocket.Conn]().FieldByName("br")
	if !ok || f.Type != reflect.TypeFor[*bufio.Reader]() {
		return ^uintptr(0)
	}
	return f.Offset
}()

// errUpgradeReader means the dialed connection's read buffer could not be
// found, so frames the server sent right after the upgrade could be lost:
// the gorilla/websocket in the build is not one scclient supports.
var errUpgradeReader = errors.New("scclient: unsupported gorilla/websocket version: cannot take over the connection's read buffer")

// takeUpgradeBuffer returns a copy of the bytes the dialer read past the
// HTTP upgrade response: the server's first frames, when it sent any at
// once. It also drops ws's reader, whose buffer would otherwise stay with
// the connection for its lifetime: reading goes on from the network
// connection itself, so nothing may be read through ws afterwards.
func takeUpgradeBuffer(ws *websocket.Conn) ([]byte, error) {
	if brOffset == ^uintptr(0) {
		return nil, errUpgradeReader
	}
	field := (**bufio.Reader)(unsafe.Add(unsafe.Pointer(ws), brOffset))
	br := *field
	if br == nil {
		return nil, errUpgradeReader
	}
	*field = nil
	n := br.Buffered()
	if n == 0 {
		return nil, nil
	}
	b, err := br.Peek(n)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}
