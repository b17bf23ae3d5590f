package roux_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"mime/multipart"
	"net/http/httptest"
	"net/textproto"
	"strings"

	"github.com/roux-go/roux"
)

// A Form field of type *roux.FormFile (or []*roux.FormFile) takes
// uploaded files from a multipart/form-data body, beside ordinary form
// fields. Tags limit each file's size and content type; the published
// request body says the same.
func ExampleFormFile() {
	type Photo struct {
		Caption string         `form:"caption" maxLength:"80"`
		Image   *roux.FormFile `form:"image" required:"true" contentType:"image/png,image/jpeg" maxBytes:"1048576"`
	}
	type Stored struct {
		Caption string `json:"caption"`
		Name    string `json:"name"`
		Size    int64  `json:"size"`
		SHA256  string `json:"sha256"`
	}
	api := roux.New(roux.Config{})
	roux.Post(api, "/photos", func(ctx context.Context, in *struct{ Form Photo }) (*Stored, error) {
		r, err := in.Form.Image.Open()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		h := sha256.New()
		if _, err := io.Copy(h, r); err != nil {
			return nil, err
		}
		img := in.Form.Image
		return &Stored{in.Form.Caption, img.Filename, img.Size, fmt.Sprintf("%x", h.Sum(nil))[:12]}, nil
	}, roux.BodyLimit(8<<20))

	send := func(contentType string, content string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		w.WriteField("caption", "Sunset")
		part, _ := w.CreatePart(textproto.MIMEHeader{
			"Content-Disposition": {`form-data; name="image"; filename="sunset.png"`},
			"Content-Type":        {contentType},
		})
		io.WriteString(part, content)
		w.Close()
		req := httptest.NewRequest("POST", "/photos", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		fmt.Println(rec.Code, strings.TrimSpace(rec.Body.String()))
	}
	send("image/png", "\x89PNG...")
	send("image/gif", "GIF89a...")

	media := api.OpenAPI().Paths["/photos"].Post.RequestBody.Content["multipart/form-data"]
	fmt.Println(media.Schema.Properties["image"].Format, media.Encoding["image"].ContentType)
	// Output:
	// 200 {"caption":"Sunset","name":"sunset.png","size":7,"sha256":"20bb52267be3"}
	// 422 {"type":"about:blank","title":"Unprocessable Entity","status":422,"detail":"form field \"image\": the file's content type must be image/png or image/jpeg, not image/gif","errors":[{"detail":"the file's content type must be image/png or image/jpeg, not image/gif","pointer":"/image","code":"contentMediaType","value":"image/gif"}]}
	// binary image/png, image/jpeg
}
