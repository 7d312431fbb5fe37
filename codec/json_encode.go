package codec

import (
	"fmt"
	"strconv"
)

// EncodePacket appends the frame for p to dst, writing the envelope
// directly: {"event":E,"data":D,"cid":N} for events and requests (the key
// order of the JavaScript client) and {"rid":N,"data":D,"error":X} for
// responses. Data and Error are copied as they are, so they must be single
// JSON values such as Marshal returns; an empty one is left out like a nil
// one. A raw packet, or an unknown kind, is an error and leaves dst as it
// was. It does not allocate when dst has room.
func (JSONCodec) EncodePacket(dst []byte, p *Packet) ([]byte, error) {
	if p == nil {
		return dst, fmt.Errorf("codec: cannot encode a nil packet")
	}
	return appendPacket(dst, p)
}

// EncodeBatch appends one frame holding every packet of ps as a JSON array.
// An empty ps gives "[]". If any packet cannot be encoded, dst is returned
// unchanged with the error.
func (JSONCodec) EncodeBatch(dst []byte, ps []Packet) ([]byte, error) {
	n0 := len(dst)
	dst = append(dst, '[')
	for i := range ps {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = appendPacket(dst, &ps[i]); err != nil {
			return dst[:n0], fmt.Errorf("codec: batch element %d: %w", i, err)
		}
	}
	return append(dst, ']'), nil
}

func appendPacket(dst []byte, p *Packet) ([]byte, error) {
	switch p.Kind {
	case KindEvent, KindRequest:
		dst = append(dst, `{"event":`...)
		dst = appendJSString(dst, p.Event)
		if len(p.Data) > 0 {
			dst = append(dst, `,"data":`...)
			dst = append(dst, p.Data...)
		}
		if p.CID != 0 {
			dst = append(dst, `,"cid":`...)
			dst = strconv.AppendInt(dst, p.CID, 10)
		}
	case KindResponse:
		dst = append(dst, `{"rid":`...)
		dst = strconv.AppendInt(dst, p.RID, 10)
		if len(p.Data) > 0 {
			dst = append(dst, `,"data":`...)
			dst = append(dst, p.Data...)
		}
		if len(p.Error) > 0 {
			dst = append(dst, `,"error":`...)
			dst = append(dst, p.Error...)
		}
	default:
		return dst, fmt.Errorf("codec: cannot encode a packet of kind %v", p.Kind)
	}
	return append(dst, '}'), nil
}
