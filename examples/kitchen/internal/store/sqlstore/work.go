package sqlstore

// This file holds the store's work: cooking orders, as River jobs in the
// store's own database (and, in webhooks.go, delivering the messages of
// the orders that are ready).
//
// CreateOrder inserts an order's cook job in the transaction that
// inserts the order, and CancelOrder cancels it in the transaction that
// cancels the order, so the queue and the orders never disagree: an
// acknowledged order has its work queued, a cancelled one has none.
//
// The job runs in short steps (advance), each one transaction that
// moves the order as far as the clock allows, and sleeps between them
// with River's snooze; a line's time to be done is computed from when
// the order began cooking, so a step run late — after a crash, on
// another instance — catches up rather than starting the line again.
// River brings the rest: retries with backoff when a step fails, rescue
// of a job whose process died while it ran, several processes sharing
// one queue (PostgreSQL), a stop that waits for running steps.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// cookArgs are the arguments of the job that cooks an order.
type cookArgs struct {
	OrderID int64 `json:"order_id"`
	// Prep are the prep seconds of the order's lines, in line order,
	// when the job was queued with the order (CreateOrder): its first
	// step then knows the order without reading it (cookState).
	Prep []int `json:"prep,omitempty"`
}

// Kind names the job kind in River's table.
func (cookArgs) Kind() string { return store.JobCook }

// sqlitePoll is WorkConfig.Poll's default on SQLite (50ms elsewhere).
const sqlitePoll = 20 * time.Millisecond

// maxSnooze is the longest a cook job sleeps at once. River makes a job
// that snoozes longer "scheduled", which only its leader's scheduler
// (every 5s) makes available again; a shorter snooze leaves it
// available, to be fetched as soon as it is due.
const maxSnooze = 4 * time.Second

// worker holds what the cook job needs while the store works.
type worker[TTx any] struct {
	mu       sync.Mutex
	client   *river.Client[TTx]
	unfollow func() // ends the counting of the client's events
	unrescue func() // ends the rescue of stuck jobs (rescueStuck)
	cfg      store.WorkConfig
	start    time.Time // of this process's work: older jobs are resumed
}

// migrateQueue brings River's tables up to date.
func (s *DB[TTx]) migrateQueue(ctx context.Context) error {
	m, err := rivermigrate.New(s.d.Driver(), &rivermigrate.Config{Logger: discardLogger})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}

var discardLogger = slog.New(slog.DiscardHandler)

// requeue queues the cook job of every unfinished order, for orders
// taken before the kitchen ran on River.
func (s *DB[TTx]) requeue(ctx context.Context, tx *txn[TTx]) error {
	var ids []int64
	rows, err := tx.Query(ctx, "SELECT id FROM orders WHERE status IN ($1, $2) ORDER BY id", store.OrderReceived, store.OrderCooking)
	err = scanAll(rows, err, func(rows Rows) error {
		var id int64
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err
	})
	for _, id := range ids {
		s.queueCooking(tx, id, nil)
	}
	return err
}

// requeueStuck gives a new cook job to the orders whose job is stuck
// running: jobs whose process was killed during a step (or before River
// recorded the step's end). River's own rescue of stuck jobs runs on its
// leader every 30s, after a leader's lease (15s) when the leader was the
// process killed; a kitchen does this as it starts and then every
// rescueAfter (rescueStuck), so that its orders are finished sooner. A
// job is stuck when it has run for longer than rescueAfter or, on
// SQLite, which has one process, when it runs at all as the process
// starts. The old job, if River ever runs it again, finds itself
// superseded (orders.job_id) and cancels itself.
func (s *DB[TTx]) requeueStuck(ctx context.Context, tx *txn[TTx], rescueAfter time.Duration, starting bool) error {
	native, err := tx.Native(ctx)
	if err != nil {
		return err
	}
	res, err := s.inserter.JobListTx(ctx, native, river.NewJobListParams().
		Kinds(cookArgs{}.Kind()).States(rivertype.JobStateRunning).First(10_000))
	if err != nil {
		return err
	}
	now := s.now()
	for _, j := range res.Jobs {
		if !(starting && s.d.SingleProcess()) && (j.AttemptedAt == nil || now.Sub(*j.AttemptedAt) < rescueAfter) {
			continue
		}
		var args cookArgs
		if err := json.Unmarshal(j.EncodedArgs, &args); err != nil {
			return err
		}
		var one int
		err := tx.QueryRow(ctx, "SELECT 1 FROM orders WHERE id = $1 AND job_id = $2 AND status IN ($3, $4)",
			args.OrderID, j.ID, store.OrderReceived, store.OrderCooking).Scan(&one)
		if errors.Is(err, ErrNoRows) {
			continue // finished, or requeued already
		}
		if err == nil {
			s.work.cfg.Logger.Info("kitchen: resuming an order", "order", args.OrderID, "stuck_job", j.ID)
			s.queueCooking(tx, args.OrderID, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// cancelCooking cancels the job job, in tx: at once if it waits, and by
// a signal to the process running it if it runs (that step then finds
// the order cancelled).
func (s *DB[TTx]) cancelCooking(ctx context.Context, tx *txn[TTx], job int64) error {
	if job == 0 {
		return nil
	}
	native, err := tx.Native(ctx)
	if err != nil {
		return err
	}
	_, err = s.inserter.JobCancelTx(ctx, native, job)
	if errors.Is(err, river.ErrNotFound) {
		return nil // cleaned away after it finished
	}
	return err
}

// StartWork starts River's client, which works the cook jobs.
func (s *DB[TTx]) StartWork(ctx context.Context, cfg store.WorkConfig) error {
	if cfg.CookUnit <= 0 {
		cfg.CookUnit = time.Second
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = 10 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 50 * time.Millisecond
		if s.d.SingleProcess() {
			// SQLite: each fetch is a write of the group writer, and the
			// steps of the jobs it takes queue there together. Fetching
			// smaller batches more often keeps that burst shorter: the
			// orders' p99 under load fell by a sixth (BENCHMARKS.md).
			cfg.Poll = sqlitePoll
		}
	}
	if cfg.MaxWorkers <= 0 {
		cfg.MaxWorkers = 1000
	}
	if cfg.DeliveryAttempts <= 0 {
		cfg.DeliveryAttempts = defaultDeliveryAttempts
	}
	if cfg.ExpireKeys <= 0 {
		cfg.ExpireKeys = time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	w := &s.work
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.client != nil {
		return errors.New("sqlstore: StartWork: the store works already")
	}
	workers := river.NewWorkers()
	err := errors.Join(river.AddWorkerSafely(workers, river.WorkFunc(s.cook)),
		river.AddWorkerSafely(workers, river.WorkFunc(s.deliver)),
		river.AddWorkerSafely(workers, river.WorkFunc(s.expire)))
	if err != nil {
		return err
	}
	// The lapsed idempotency keys are deleted every cfg.ExpireKeys, by
	// whichever process leads the queue.
	expire := river.NewPeriodicJob(river.PeriodicInterval(cfg.ExpireKeys),
		func() (river.JobArgs, *river.InsertOpts) { return expireArgs{}, nil }, nil)
	client, err := river.NewClient(s.d.Driver(), &river.Config{
		Logger:               cfg.Logger,
		Queues:               map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: cfg.MaxWorkers}},
		Workers:              workers,
		PeriodicJobs:         []*river.PeriodicJob{expire},
		FetchCooldown:        min(cfg.Poll, river.FetchCooldownDefault),
		FetchPollInterval:    cfg.Poll,
		JobTimeout:           cfg.RescueAfter / 2,
		RescueStuckJobsAfter: cfg.RescueAfter,
		// On a database of one process (SQLite) River's listener is a
		// poll of its notification table, every 50ms through the
		// writer's connection, which costs an idle kitchen as much as the
		// producer's own poll: it would tell the producer of new jobs that
		// its poll finds as soon (the store inserts the cook jobs itself,
		// with no notification), and of cancelled jobs that a cook step
		// finds cancelled at its next step anyway. Without it River polls
		// for cancellations and queue settings every 2s instead.
		PollOnly: s.d.SingleProcess(),
	})
	if err != nil {
		return s.wrap("start work", err)
	}
	w.cfg, w.start = cfg, time.Now()
	s.deliveries.attempts.Store(int64(cfg.DeliveryAttempts))
	if err := s.write(ctx, func(tx *txn[TTx]) error { return s.requeueStuck(ctx, tx, cfg.RescueAfter, true) }); err != nil {
		return s.wrap("start work", err)
	}
	unfollow := s.runs.follow(client)
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		unfollow()
		return s.wrap("start work", err)
	}
	w.client, w.unfollow, w.unrescue = client, unfollow, s.rescueStuck(cfg)
	return nil
}

// rescueStuck runs requeueStuck every cfg.RescueAfter until stop is
// called: a job that was running in a process killed just before this
// one started is not stuck yet at start (on PostgreSQL, another instance
// may be running it), and River's own rescue may be half a minute away.
func (s *DB[TTx]) rescueStuck(cfg store.WorkConfig) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(cfg.RescueAfter)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			err := s.write(ctx, func(tx *txn[TTx]) error { return s.requeueStuck(ctx, tx, cfg.RescueAfter, false) })
			if err != nil && ctx.Err() == nil {
				cfg.Logger.Error("kitchen: looking for stuck jobs", "error", err)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// StopWork stops River's client: gracefully until ctx is done, then by
// cancelling the running jobs.
func (s *DB[TTx]) StopWork(ctx context.Context) error {
	w := &s.work
	w.mu.Lock()
	client, unfollow, unrescue := w.client, w.unfollow, w.unrescue
	w.client, w.unfollow, w.unrescue = nil, nil, nil
	w.mu.Unlock()
	if client == nil {
		return nil
	}
	unrescue()
	err := client.Stop(ctx)
	if ctx.Err() != nil {
		err = client.StopAndCancel(context.WithoutCancel(ctx))
	}
	unfollow()
	return s.wrap("stop work", err)
}

// cook is the cook job: steps of the order until it is ready, with a
// snooze until the next line is due — or, when that is no further off
// than the queue's poll, a sleep in the job and the next step at once:
// a snooze would cost the queue two writes (the snooze, the fetch) to
// wake the job no sooner.
func (s *DB[TTx]) cook(ctx context.Context, job *river.Job[cookArgs]) error {
	s.work.mu.Lock()
	cfg, start := s.work.cfg, s.work.start
	s.work.mu.Unlock()
	id := job.Args.OrderID
	var known *cookState
	if job.CreatedAt.Before(start) || job.Attempt > 1 {
		cfg.Logger.Info("kitchen: resuming an order", "order", id, "job", job.ID, "attempt", job.Attempt)
		// Its last run may have committed a step and died before
		// announcing it (events.go).
		if err := s.announce(ctx, []int64{id}); err != nil {
			return err
		}
	} else if firstRun(job) {
		known = newCookState(job.Args.Prep)
	}
	for {
		wait, status, after, err := s.advance(ctx, id, job.ID, cfg.CookUnit, known)
		known = after
		switch {
		case errors.Is(err, store.ErrNotFound):
			return river.JobCancel(err)
		case err != nil:
			return err // River retries, with backoff
		case status == store.OrderCancelled:
			return river.JobCancel(fmt.Errorf("order %d is cancelled", id))
		case status == superseded:
			return river.JobCancel(fmt.Errorf("order %d has another job", id))
		case status != store.OrderCooking:
			return nil
		case wait > cfg.Poll:
			return river.JobSnooze(min(wait, maxSnooze))
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done(): // stopping: the next run takes over
			t.Stop()
			return river.JobSnooze(wait)
		case <-t.C:
		}
	}
}

// firstRun reports whether job runs for the first time: no attempt
// failed, none snoozed (River counts snoozes in the job's metadata, and
// takes them off its attempts).
func firstRun(job *river.Job[cookArgs]) bool {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	return job.Attempt == 1 && (len(job.Metadata) == 0 || json.Unmarshal(job.Metadata, &m) == nil && m.Snoozes == 0)
}

// superseded is the status advance reports to a job that is no longer
// its order's (see requeueStuck).
const superseded = "superseded"

// line is a line of an order being cooked.
type line struct {
	n      int
	prep   int // seconds
	status string
	due    time.Time
}

// cookState is what a cook job knows of its order: the order as the
// job's last step left it or, for a job queued with its order, as
// CreateOrder made it. With it, a step writes without reading the order
// first (advance).
type cookState struct {
	status    string
	cookingAt int64 // Unix milliseconds
	seq       int64 // the order's event_seq
	lines     []line
}

// newCookState is the state of an order as CreateOrder makes it, with
// lines of prep seconds prep; nil without lines (the job was queued
// without them, and its order is to be read).
func newCookState(prep []int) *cookState {
	if len(prep) == 0 {
		return nil
	}
	st := &cookState{status: store.OrderReceived, seq: 1, lines: make([]line, len(prep))}
	for i, p := range prep {
		st.lines[i] = line{n: i + 1, prep: p, status: store.ItemQueued}
	}
	return st
}

// advance moves order id on as far as the clock allows, in one
// transaction: a received order starts cooking, all its lines at once;
// lines whose time has come are done, in the order they came due; an
// order whose lines are all done is ready. It returns the order's status,
// how long until its next line is due while it cooks, and the order as
// the step left it.
//
// When the job knows its order (known), the step is one batch, and on
// PostgreSQL one round trip with no BEGIN and COMMIT of its own (an
// implicit transaction): the UPDATE of the order, first, if it is still
// as the job knows it, the step's other writes, and the events, whose
// numbering fails — and rolls the step back — unless the order was (see
// expect); under load, the batch of several steps and placings, which
// commit together (pipeline.go). An order that was not (cancelled, given another job, or
// stepped by another run of the job) is then read: the step is two
// batches, its BEGIN with the read of the order and its lines, locked,
// and its writes with the COMMIT. The step that makes the order ready
// queues the webhook delivery: on PostgreSQL in a statement of its
// batch; elsewhere its writes go with the count of the customer's
// endpoints, which decides whether River is asked for a delivery job
// before the COMMIT — one batch more (queueDelivery).
func (s *DB[TTx]) advance(ctx context.Context, id, job int64, unit time.Duration, known *cookState) (wait time.Duration, status string, after *cookState, err error) {
	if known != nil {
		var st *cookState
		var x *expectation
		err := s.writePipelined(ctx, func(tx *txn[TTx]) error {
			st = known.clone() // a write may run again (pipeline.go)
			x = tx.expect(id, job, st.seq)
			wait, err = s.step(tx, id, st, unit)
			return err
		})
		found := x != nil && x.found
		switch {
		case found && err != nil:
			return 0, "", nil, s.wrap("cook", err)
		case found:
			return wait, st.status, st, nil
		}
	}
	st := &cookState{}
	err = s.write(ctx, func(tx *txn[TTx]) error {
		var current int64
		var lines []line
		err := tx.send(ctx, Stmt{SQL: `SELECT o.status, o.cooking_at, o.event_seq, o.job_id, i.line, i.prep_seconds, i.status
			FROM orders o JOIN order_items i ON i.order_id = o.id WHERE o.id = $1 ORDER BY i.line` + s.d.ForUpdate(),
			Args: []any{id}, Rows: eachRow(func(rows Rows) error {
				var l line
				err := rows.Scan(&st.status, &st.cookingAt, &st.seq, &current, &l.n, &l.prep, &l.status)
				lines = append(lines, l)
				return err
			})})
		st.lines = lines
		switch {
		case err != nil:
			return err
		case len(lines) == 0:
			return store.ErrNotFound
		case current != job:
			st.status = superseded
			return nil
		case st.status != store.OrderReceived && st.status != store.OrderCooking:
			return nil
		}
		wait, err = s.step(tx, id, st, unit)
		return err
	})
	if err != nil {
		return 0, "", nil, s.wrap("cook", err)
	}
	return wait, st.status, st, nil
}

// clone returns a copy of st that a step may change.
func (st *cookState) clone() *cookState {
	c := *st
	c.lines = slices.Clone(st.lines)
	return &c
}

// step writes, in tx, a step of order id, received or cooking as st
// says, and moves st on as the step leaves the order.
func (s *DB[TTx]) step(tx *txn[TTx], id int64, st *cookState, unit time.Duration) (wait time.Duration, err error) {
	now := s.now()
	events := len(tx.events)
	defer func() { st.seq += int64(len(tx.events) - events) }()
	if st.status == store.OrderReceived {
		s.startCooking(tx, id, now, st.lines)
		st.status, st.cookingAt = store.OrderCooking, store.Millis(now)
	}
	var cooking []int // of st.lines
	for i, l := range st.lines {
		switch l.status {
		case store.ItemCooking:
			st.lines[i].due = store.FromMillis(st.cookingAt).Add(time.Duration(l.prep) * unit)
			cooking = append(cooking, i)
		case store.ItemDone:
		default: // a line neither cooking nor done: not this step's to finish
			return 0, fmt.Errorf("order %d is cooking with a line that is %s", id, l.status)
		}
	}
	slices.SortStableFunc(cooking, func(a, b int) int { return st.lines[a].due.Compare(st.lines[b].due) })
	var done []any
	for _, i := range cooking {
		l := &st.lines[i]
		if l.due.After(now) {
			wait = l.due.Sub(now)
			break
		}
		done = append(done, l.n)
		l.status = store.ItemDone
		tx.appendEvent(id, store.EventItem, l.n, store.ItemDone)
	}
	if len(done) > 0 {
		tx.queue(Stmt{SQL: "UPDATE order_items SET status = $1 WHERE order_id = $2 AND line IN " + list(3, len(done)),
			Args: append([]any{store.ItemDone, id}, done...)})
	}
	if wait > 0 {
		return wait, nil
	}
	st.status = store.OrderReady
	tx.appendEvent(id, store.EventOrder, 0, st.status)
	tx.setOrder(id, st.status, st.cookingAt)
	s.queueDelivery(tx, id)
	return 0, nil
}

// startCooking moves a received order and its queued lines to cooking.
func (s *DB[TTx]) startCooking(tx *txn[TTx], id int64, now time.Time, lines []line) {
	tx.queue(Stmt{SQL: "UPDATE order_items SET status = $1 WHERE order_id = $2 AND status = $3",
		Args: []any{store.ItemCooking, id, store.ItemQueued}})
	tx.appendEvent(id, store.EventOrder, 0, store.OrderCooking)
	tx.setOrder(id, store.OrderCooking, store.Millis(now))
	for i, l := range lines {
		if l.status == store.ItemQueued {
			tx.appendEvent(id, store.EventItem, l.n, store.ItemCooking)
			lines[i].status = store.ItemCooking
		}
	}
}
