package ws

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// StatusCode is a WebSocket close code (RFC 6455, section 7.4). The
// constants are the codes this package sends or reports; codes 3000–3999
// are registered for libraries and frameworks and 4000–4999 are free for
// applications.
type StatusCode int

// Close codes.
const (
	// StatusNormalClosure: the handler returned nil, or the peer closed.
	StatusNormalClosure StatusCode = 1000
	// StatusGoingAway: the server is shutting down ([roux.API.Drain]).
	StatusGoingAway StatusCode = 1001
	// StatusUnsupportedData: the client sent a binary message; sessions
	// carry JSON text messages only.
	StatusUnsupportedData StatusCode = 1003
	// StatusAbnormalClosure is never sent: it reports a connection that
	// ended without a close handshake — lost, or closed because the peer
	// stopped answering pings.
	StatusAbnormalClosure StatusCode = 1006
	// StatusInvalidFramePayloadData: a text message was not valid UTF-8
	// (RFC 6455, section 8.1).
	StatusInvalidFramePayloadData StatusCode = 1007
	// StatusPolicyViolation: a message failed to decode or validate.
	StatusPolicyViolation StatusCode = 1008
	// StatusMessageTooBig: a message was over [ReadLimit]; a
	// frame that declares more is refused as soon as its header arrives.
	StatusMessageTooBig StatusCode = 1009
	// StatusInternalError: the handler failed (returned an error that is
	// not a *[CloseError], or panicked).
	StatusInternalError StatusCode = 1011
)

// sendable reports whether code may be sent in a close frame: the codes
// RFC 6455 defines for the wire (1004–1006 and 1015 are reserved) and the
// registered and private ranges.
func (code StatusCode) sendable() bool {
	switch {
	case code >= 1000 && code <= 1003, code >= 1007 && code <= 1014:
		return true
	default:
		return code >= 3000 && code <= 4999
	}
}

// CloseError is how a session ended. [Conn.Receive] and [Conn.Send]
// return one once the session is over (the peer closed, a message was
// refused, the server is shutting down, the peer stopped answering), and
// context.Cause of the handler's context is one. A handler returns a
// CloseError to end the session with a code and reason of its own.
type CloseError struct {
	Code   StatusCode
	Reason string // at most MaxReasonLen bytes reach the peer
}

// Error returns "ws: closed with <code>: <reason>".
func (e *CloseError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("ws: closed with %d", e.Code)
	}
	return fmt.Sprintf("ws: closed with %d: %s", e.Code, e.Reason)
}

// MaxReasonLen is the longest close reason a close frame carries, in
// bytes: a control frame holds 125 bytes, two of them the code.
const MaxReasonLen = 123

// truncateReason makes s a valid close reason: valid UTF-8 (RFC 6455
// requires it; an invalid byte becomes "?") of at most MaxReasonLen bytes,
// cut at a character boundary and ended with "..." when cut.
func truncateReason(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	if len(s) <= MaxReasonLen {
		return s
	}
	cut := MaxReasonLen - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
