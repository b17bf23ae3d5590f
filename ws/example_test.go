package ws_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/ws"
)

// A chat room: the handshake's inputs are bound and validated like any
// operation's, then each message is decoded and validated; a message that
// breaks its schema closes the session with 1008 and says why.
func Example() {
	type JoinInput struct {
		Room string `path:"room" pattern:"^[a-z]+$"`
		Name string `query:"name" required:"true" maxLength:"20"`
	}
	type Say struct {
		Text string `json:"text" minLength:"1" maxLength:"500"`
	}
	type Said struct {
		Room string `json:"room"`
		From string `json:"from"`
		Text string `json:"text"`
	}

	api := roux.New(roux.Config{Title: "Chat", Version: "1.0.0"})
	roux.Get(api, "/rooms/{room}/ws", func(ctx context.Context, in *JoinInput) (*ws.Session[Say, Said], error) {
		return ws.Accept(func(ctx context.Context, c *ws.Conn[Say, Said]) error {
			for {
				m, err := c.Receive(ctx)
				if err != nil {
					return err
				}
				if err := c.Send(ctx, &Said{Room: in.Room, From: in.Name, Text: m.Text}); err != nil {
					return err
				}
			}
		}), nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/rooms/lobby/ws?name=ann", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.CloseNow()
	c.Write(ctx, websocket.MessageText, []byte(`{"text":"hello"}`))
	_, reply, _ := c.Read(ctx)
	fmt.Println(string(reply))

	c.Write(ctx, websocket.MessageText, []byte(`{"text":""}`))
	_, _, err = c.Read(ctx)
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		fmt.Println(int(ce.Code), ce.Reason)
	}
	// Output:
	// {"room":"lobby","from":"ann","text":"hello"}
	// 1008 /text: must be at least 1 character long
}
