package cli_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/roux-go/roux/cli"
)

// TestRunConcurrently: Runs of one API may start at once, the first ones
// included: each publishes the connection cap's refusal, and under -race
// none writes the document while another reads or writes it.
func TestRunConcurrently(t *testing.T) {
	t.Parallel()
	api := testAPI()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := cli.Run(context.Background(), fixed(api), cli.Args("spec"), cli.Stdout(io.Discard)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if api.OpenAPI().Paths["/hello"].Get.Responses["503"] == nil {
		t.Error("the connection cap's 503 is not published")
	}
}
