package client_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/client"
	"github.com/roux-go/roux/openapi"
	"github.com/roux-go/roux/sse"
	"github.com/roux-go/roux/ws"
)

type Step struct {
	Status string `json:"status"`
}

type OrderEvent struct {
	Step *Step `event:"step"`
}

type FollowIn struct {
	ID          int64  `path:"id"`
	LastEventID string `header:"Last-Event-ID"`
}

// Events follows a stream: when it ends, the client reconnects with the
// last event ID, and the server, with nothing more to send, answers 204,
// which ends the iteration.
func ExampleEvents() {
	api := roux.New(roux.Config{Title: "Kitchen", Version: "1.0.0"})
	// The server's side: the order's steps, sent with their number as
	// the ID; a reconnection after the last one is answered 204.
	steps := []string{"received", "cooking", "ready"}
	over := roux.Describe(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Last-Event-ID") == fmt.Sprint(len(steps)) {
				w.WriteHeader(http.StatusNoContent)
				return
			}
			next.ServeHTTP(w, r)
		})
	}, map[string]*openapi.Response{"204": {Description: "The order is ready: no more events"}}, nil)
	follow := roux.Get(api, "/orders/{id}/events", func(ctx context.Context, in *FollowIn) (*sse.Stream[OrderEvent], error) {
		return sse.New(func(ctx context.Context, s *sse.Sender[OrderEvent]) error {
			if err := s.Retry(10 * time.Millisecond); err != nil { // how long clients wait to reconnect
				return err
			}
			for i, st := range steps {
				if err := s.SendID(fmt.Sprint(i+1), OrderEvent{Step: &Step{Status: st}}); err != nil {
					return err
				}
			}
			return nil
		}), nil
	}, roux.Wrap(over))
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client.New(srv.URL, client.HTTPClient(srv.Client()))
	for m, err := range client.Events(ctx, c, follow, &FollowIn{ID: 1}) {
		if err != nil {
			fmt.Println("error:", err)
			break
		}
		fmt.Println(m.ID, m.Event.Step.Status)
	}
	fmt.Println("the stream is over")
	// Output:
	// 1 received
	// 2 cooking
	// 3 ready
	// the stream is over
}

type ChatIn struct {
	Name string `query:"name" required:"true"`
}

type Line struct {
	Text string `json:"text" minLength:"1"`
}

// Dial opens a typed WebSocket session: Send takes the messages the
// server's session receives, Receive returns those it sends.
func ExampleDial() {
	api := roux.New(roux.Config{Title: "Chat", Version: "1.0.0"})
	chat := roux.Get(api, "/chat", func(ctx context.Context, in *ChatIn) (*ws.Session[Line, Line], error) {
		return ws.Accept(func(ctx context.Context, c *ws.Conn[Line, Line]) error {
			for {
				m, err := c.Receive(ctx)
				if err != nil {
					return err
				}
				if err := c.Send(ctx, &Line{Text: in.Name + " said " + m.Text}); err != nil {
					return err
				}
			}
		}), nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()
	defer api.Drain()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client.New(srv.URL, client.HTTPClient(srv.Client()))
	conn, err := client.Dial(ctx, c, chat, &ChatIn{Name: "ann"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close(ws.StatusNormalClosure, "")
	if err := conn.Send(ctx, &Line{Text: "hello"}); err != nil {
		fmt.Println(err)
		return
	}
	m, err := conn.Receive(ctx)
	fmt.Println(m.Text, err)
	// The server would refuse an empty line: it is not sent.
	fmt.Println(conn.Send(ctx, &Line{}))
	// Output:
	// ann said hello <nil>
	// client: get-chat: message not sent, the server would refuse it: /text: must be at least 1 character long: client: invalid input
}

type PhotoIn struct {
	Form struct {
		Caption string         `form:"caption"`
		Photo   *roux.FormFile `form:"photo" required:"true" contentType:"image/*"`
	}
}

type Photo struct {
	Caption string `json:"caption"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
}

// A Form with a file field is sent as multipart/form-data, the file's
// content streamed from its reader.
func Example_upload() {
	api := roux.New(roux.Config{Title: "Photos", Version: "1.0.0"})
	upload := roux.Post(api, "/photos", func(ctx context.Context, in *PhotoIn) (*Photo, error) {
		return &Photo{Caption: in.Form.Caption, Name: in.Form.Photo.Filename, Size: in.Form.Photo.Size}, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client.New(srv.URL, client.HTTPClient(srv.Client()))
	in := &PhotoIn{}
	in.Form.Caption = "The sea"
	in.Form.Photo = roux.FileUpload("sea.png", "image/png", strings.NewReader("not really a PNG"))
	p, err := client.Call(ctx, c, upload, in)
	fmt.Println(p.Caption, p.Name, p.Size, err)
	// Output:
	// The sea sea.png 16 <nil>
}

// A roux.File output is returned with its content as a stream the caller
// reads and closes; where the server answers range requests, it seeks.
func Example_download() {
	api := roux.New(roux.Config{Title: "Files", Version: "1.0.0"})
	modTime := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	download := roux.Get(api, "/notes.txt", func(ctx context.Context, in *struct{}) (*roux.File, error) {
		return &roux.File{Content: strings.NewReader("first line\nsecond line\n"), Name: "notes.txt", ModTime: modTime, Attachment: true}, nil
	})
	srv := httptest.NewServer(api)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := client.New(srv.URL, client.HTTPClient(srv.Client()))
	f, err := client.Call(ctx, c, download, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Content.(io.Closer).Close()
	fmt.Println(f.Name, f.Attachment, f.ContentType, f.ModTime.Format(time.DateOnly))
	f.Content.Seek(11, io.SeekStart) // a range request for the rest
	rest, err := io.ReadAll(f.Content)
	fmt.Printf("%q %v\n", rest, err)
	// Output:
	// notes.txt true text/plain; charset=utf-8 2025-01-02
	// "second line\n" <nil>
}
