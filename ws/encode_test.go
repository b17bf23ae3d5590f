package ws_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/roux-go/roux"
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
		{"refused by Validate", &ClientMsg{Text: " "}, "", &ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/text: must not be blank"}},
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

// Order is a message whose rules are in Validate methods, its own and its
// lines'.
type Order struct {
	Lines []Line `json:"lines" minItems:"1"`
	Note  string `json:"note,omitempty"`
}

func (o Order) Validate(c *roux.Checks) {
	if len(o.Lines) > 1 && o.Note == "" {
		c.Member("/note", "note", "an order of several lines needs a note")
	}
}

type Line struct {
	Dish string `json:"dish" minLength:"1"`
	Qty  int    `json:"qty" minimum:"1"`
	Max  int    `json:"max"`
}

func (l *Line) Validate(c *roux.Checks) {
	if l.Qty > l.Max {
		c.Member("/qty", "qtyRange", "must not exceed max")
	}
}

// DecodeMessage takes what Receive takes, and refuses the rest with the
// close that Receive sends.
func TestDecodeMessage(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		data string
		want *Order
		err  *ws.CloseError
	}{
		{"valid", `{"lines":[{"dish":"soup","qty":1,"max":2}]}`, &Order{Lines: []Line{{"soup", 1, 2}}}, nil},
		{"unknown member", `{"lines":[{"dish":"soup","qty":1,"max":2}],"admin":true}`, nil,
			&ws.CloseError{Code: ws.StatusPolicyViolation, Reason: `/admin: unknown member "admin"`}},
		{"schema", `{"lines":[]}`, nil, &ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/lines: must have at least 1 item"}},
		{"an inner Validate", `{"lines":[{"dish":"soup","qty":3,"max":2}]}`, nil,
			&ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/lines/0/qty: must not exceed max"}},
		{"the outer Validate", `{"lines":[{"dish":"soup","qty":1,"max":2},{"dish":"tea","qty":1,"max":1}]}`, nil,
			&ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/note: an order of several lines needs a note"}},
		{"an inner failure keeps the outer rule from running", `{"lines":[{"dish":"soup","qty":3,"max":2},{"dish":"tea","qty":1,"max":1}]}`, nil,
			&ws.CloseError{Code: ws.StatusPolicyViolation, Reason: "/lines/0/qty: must not exceed max"}},
		{"not UTF-8", "{\"lines\":[{\"dish\":\"\xff\",\"qty\":1,\"max\":1}]}", nil,
			&ws.CloseError{Code: ws.StatusInvalidFramePayloadData, Reason: "a text message is not valid UTF-8"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ws.DecodeMessage[Order]([]byte(tt.data))
			var ce *ws.CloseError
			if err != nil && !errors.As(err, &ce) {
				t.Fatalf("got error %v, want a *ws.CloseError or none", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.err, ce); diff != "" {
				t.Errorf("close (-want +got):\n%s", diff)
			}
		})
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

func ExampleDecodeMessage() {
	type Said struct {
		From string `json:"from" minLength:"1"`
		Text string `json:"text"`
	}
	m, err := ws.DecodeMessage[Said]([]byte(`{"from":"ann","text":"hello"}`))
	fmt.Println(*m, err)
	_, err = ws.DecodeMessage[Said]([]byte(`{"from":"ann","text":"hello","mood":"sunny"}`))
	fmt.Println(err)
	// Output:
	// {ann hello} <nil>
	// ws: closed with 1008: /mood: unknown member "mood"
}
