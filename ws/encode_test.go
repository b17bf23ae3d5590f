package ws_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux/ws"
)

// EncodeMessage refuses, with the close the receiving session would send,
// what that session's Receive refuses.
func TestEncodeMessage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		msg  *ClientMsg
		want string
		err  *ws.CloseError
	}{
		{"valid", &ClientMsg{Text: "hi", Count: 2}, `{"text":"hi","count":2}`, nil},
		{"omitted zero", &ClientMsg{Text: "hi"}, `{"text":"hi"}`, nil},
		{"one failure", &ClientMsg{Text: ""}, "", &ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/text: must be at least 1 character long"}},
		{"two", &ClientMsg{Count: 11}, "", &ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/text: must be at least 1 character long (and 1 more)"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := ws.EncodeMessage(tt.msg)
			var ce *ws.CloseError
			errors.As(err, &ce)
			if string(b) != tt.want || !cmp.Equal(ce, tt.err) {
				t.Errorf("got %s, %v; want %s, %v", b, err, tt.want, tt.err)
			}
		})
	}
	if _, err := ws.EncodeMessage[ClientMsg](nil); err == nil {
		t.Error("a nil message was encoded")
	}
}

func ExampleEncodeMessage() {
	type Say struct {
		Text string `json:"text" minLength:"1"`
	}
	b, err := ws.EncodeMessage(&Say{Text: "hello"})
	fmt.Println(string(b), err)
	_, err = ws.EncodeMessage(&Say{})
	fmt.Println(err)
	// Output:
	// {"text":"hello"} <nil>
	// ws: closed with 1008: /text: must be at least 1 character long
}
