package scclient

// IgnoreStatuses are the close codes of normal closes: no error event is
// emitted for them.
var IgnoreStatuses = map[int]string{
	1000: "Socket closed normally",
	1001: "Socket was disconnected",
}

// ErrorStatuses gives the text of each close code known to SocketCluster.
// It also fills in the reason of a close that arrived without one.
var ErrorStatuses = map[int]string{
	1001: "Socket was disconnected",
	1002: "A WebSocket protocol error was encountered",
	1003: "Server terminated socket because it received invalid data",
	1005: "Socket closed without status code",
	1006: "Socket hung up",
	1007: "Message format was incorrect",
	1008: "Encountered a policy violation",
	1009: "Message was too big to process",
	1010: "Client ended the connection because the server did not comply with extension requirements",
	1011: "Server encountered an unexpected fatal condition",
	4000: "Server ping timed out",
	4001: "Client pong timed out",
	4002: "Server failed to sign auth token",
	4003: "Failed to complete handshake",
	4004: "Client failed to save auth token",
	4005: "Did not receive #handshake from client before timeout",
	4006: "Failed to bind socket to message broker",
	4007: "Client connection establishment timed out",
	4008: "Server rejected handshake from client",
	4009: "Server received a message before the client handshake",
}

// Close codes the socket produces or reacts to.
const (
	CloseNormal            = 1000
	CloseGoingAway         = 1001
	CloseNoStatus          = 1005
	CloseAbnormal          = 1006
	CloseMessageTooBig     = 1009
	CloseServerPingTimeout = 4000
	CloseClientPongTimeout = 4001
	CloseHandshakeFailed   = 4003
	CloseConnectTimeout    = 4007
	CloseHandshakeRejected = 4008
)

// closeReason fills in an empty reason from the error table.
func closeReason(code int, reason string) string {
	if reason == "" {
		return ErrorStatuses[code]
	}
	return reason
}

// validCloseCode reports whether a code may be sent in a close frame.
func validCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003:
		return true
	case code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}
