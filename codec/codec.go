// Package codec turns SocketCluster packets into WebSocket frames and back.
//
// A Codec works on two levels. The envelope level (EncodePacket,
// EncodeBatch, DecodeFrame) handles the packet shapes of the protocol:
// events, requests and responses, alone or batched in one frame. The payload
// level (Marshal, Unmarshal) handles the user's data. DecodeFrame does not
// decode payloads: it hands them back as encoded bytes sliced from the
// frame, so a message that is never looked at is never parsed twice.
//
// The default codec, JSON, is byte-compatible with sc-formatter, the codec
// of the JavaScript client and server.
package codec

// Kind says what an inbound packet is.
type Kind uint8

// The kinds of packet DecodeFrame reports.
const (
	// KindRaw is anything that is not an event or a response: text that is
	// not JSON, a JSON scalar, an object without a string "event" or a
	// numeric "rid", or a non-object element of a batch.
	KindRaw Kind = iota
	// KindEvent is an event without a call id (a transmit).
	KindEvent
	// KindRequest is an event with a numeric call id (an invoke).
	KindRequest
	// KindResponse is a response to one of our requests.
	KindResponse
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindEvent:
		return "event"
	case KindRequest:
		return "request"
	case KindResponse:
		return "response"
	default:
		return "raw"
	}
}

// Packet is one SocketCluster packet with its payload still encoded.
//
// Inbound packets come from DecodeFrame; Data and Error then alias the frame
// they were decoded from. Outbound packets are filled in by the socket with
// payloads produced by Marshal.
type Packet struct {
	Kind  Kind
	Event string // event name (KindEvent, KindRequest)
	CID   int64  // call id of a request (KindRequest, outbound invokes)
	RID   int64  // id of the request this responds to (KindResponse)
	Data  []byte // encoded "data" value; nil when the packet has none
	Error []byte // encoded "error" value of a response; nil when absent

	// HasChannel reports that DecodeFrame found the data of a #publish or
	// #kickOut event to be an object with a string "channel", read in the
	// same pass as the frame: Channel is the channel name and Value the
	// encoded "data" (#publish) or "message" (#kickOut) member, nil when
	// absent. A codec may leave them unset; DecodeChannelData reads them
	// from Data then.
	HasChannel bool
	Channel    string
	Value      []byte
}

// Codec encodes and decodes frames and payloads. Implementations must be
// safe for concurrent use.
type Codec interface {
	// Name identifies the codec, for logs and errors.
	Name() string

	// EncodePacket appends the frame for one packet to dst. Only the
	// fields that belong to the packet's shape are written: Event, Data and
	// CID (when non-zero) for events and requests; RID, Data and Error for
	// responses. A nil Data or Error is left out.
	EncodePacket(dst []byte, p *Packet) ([]byte, error)

	// EncodeBatch appends one frame that carries every packet in ps.
	EncodeBatch(dst []byte, ps []Packet) ([]byte, error)

	// DecodeFrame decodes one inbound frame, appending one Packet per packet
	// to dst: one for a single packet, one per element for a batch. A frame
	// or element that is not a packet yields a KindRaw packet with no
	// fields set. DecodeFrame never fails on malformed input: such input is
	// raw. Returned slices alias frame. It may fill in the channel fields of
	// #publish and #kickOut packets (see Packet.HasChannel).
	DecodeFrame(dst []Packet, frame []byte) []Packet

	// Marshal encodes a payload value.
	Marshal(v any) ([]byte, error)

	// Unmarshal decodes a payload produced by Marshal or sliced out by
	// DecodeFrame into v.
	Unmarshal(data []byte, v any) error

	// DecodeChannelData extracts the channel name and one encoded field
	// from the data of a #publish event (valueKey "data") or a #kickOut
	// event (valueKey "message"). value is nil when the field is absent; ok
	// is false when data is not an object with a string "channel". The
	// socket calls it for every channel message whose packet DecodeFrame
	// left without HasChannel, so implementations should not allocate
	// beyond the channel name.
	DecodeChannelData(data []byte, valueKey string) (channel string, value []byte, ok bool)
}
