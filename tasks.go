package roux

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"time"
)

// Tasks collects work to run after the response is sent, FastAPI's
// BackgroundTasks: an operation gets one by declaring an input field of
// type *roux.Tasks. Tasks run one after another once the response has
// been written and flushed and the dependencies' cleanups have run, on
// the request's goroutine, so a server's graceful shutdown waits for
// them. Their context is not cancelled when the client goes away; it is
// cancelled by [API.Shutdown] when its deadline passes. A failing or
// panicking task is logged and the next one runs.
//
// A Tasks is used by one request; it is not safe for concurrent use.
type Tasks struct {
	fns []task
}

type task struct {
	name string
	fn   func(ctx context.Context) error
}

// MaxTasks bounds the tasks one request may add.
const MaxTasks = 32

// Add schedules fn, named for the logs. It panics past [MaxTasks], which
// roux reports as a 500: a request that schedules unbounded work is a bug.
func (t *Tasks) Add(name string, fn func(ctx context.Context) error) {
	if len(t.fns) >= MaxTasks {
		panic(fmt.Sprintf("roux: more than %d background tasks in one request", MaxTasks))
	}
	t.fns = append(t.fns, task{name, fn})
}

// Len returns the number of tasks added.
func (t *Tasks) Len() int { return len(t.fns) }

var tasksType = reflect.TypeFor[*Tasks]()

// runTasks runs the request's tasks after its response. The response is
// flushed first so that the client has it while they run.
func (op *operation) runTasks(w http.ResponseWriter, r *http.Request, t *Tasks) {
	if t == nil || len(t.fns) == 0 {
		return
	}
	http.NewResponseController(w).Flush() //nolint:errcheck // not every writer flushes; the response is complete anyway
	ctx, done := op.api.life.taskContext(r.Context())
	defer done()
	for _, tk := range t.fns {
		start := time.Now()
		err := runTask(ctx, tk)
		if err != nil {
			op.api.cfg.Logger.LogAttrs(ctx, slog.LevelError, "roux: background task failed", attrOp(op.id),
				slog.String("task", tk.name), slog.Duration("after", time.Since(start)), attrErr(err))
		}
	}
}

// runTask runs one task, turning a panic into an error.
func runTask(ctx context.Context, tk task) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, stack())
		}
	}()
	return tk.fn(ctx)
}
