package kitchen

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/roux-go/roux"
	"github.com/roux-go/roux/middleware"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// ListDishesInput is the input of listDishes (GET /dishes).
type ListDishesInput struct {
	Tag       []string `query:"tag" maxItems:"5" maxLength:"20" example:"vegan" doc:"Only dishes with this tag; repeat it for dishes with every one (?tag=vegan&tag=main)"`
	MinPrice  int64    `query:"min_price" minimum:"1" example:"500" doc:"Lowest price, in cents"`
	MaxPrice  int64    `query:"max_price" minimum:"1" example:"1500" doc:"Highest price, in cents"`
	Available *bool    `query:"available" doc:"Only dishes that can (true) or cannot (false) be ordered now"`
	Sort      string   `query:"sort" enum:"id,-id,name,-name,price,-price" default:"id" doc:"Order of the list; a minus sign reverses it"`
	Limit     int      `query:"limit" minimum:"1" maximum:"100" default:"20" doc:"Dishes per page"`
	Offset    int      `query:"offset" minimum:"0" maximum:"1000000" default:"0" doc:"Dishes to skip"`
}

// next returns the URL of the page after this one.
func (in *ListDishesInput) next() string {
	q := url.Values{}
	for _, t := range in.Tag {
		q.Add("tag", t)
	}
	if in.MinPrice > 0 {
		q.Set("min_price", itoa(in.MinPrice))
	}
	if in.MaxPrice > 0 {
		q.Set("max_price", itoa(in.MaxPrice))
	}
	if in.Available != nil {
		q.Set("available", strconv.FormatBool(*in.Available))
	}
	if in.Sort != "id" {
		q.Set("sort", in.Sort)
	}
	q.Set("limit", strconv.Itoa(in.Limit))
	q.Set("offset", strconv.Itoa(in.Offset+in.Limit))
	return "/dishes?" + q.Encode()
}

// GetDishInput is the input of getDish (GET /dishes/{id}).
type GetDishInput struct {
	ID          int64  `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfNoneMatch string `header:"If-None-Match" example:"\"1\"" doc:"The ETag of the copy you have: 304 Not Modified while it is current"`
}

// CreateDishInput is the input of createDish (POST /dishes); it needs the
// staff key.
type CreateDishInput struct {
	Staff Staff `dep:""`
	Body  DishInput
}

// ReplaceDishInput is the input of replaceDish (PUT /dishes/{id}); it
// needs the staff key.
type ReplaceDishInput struct {
	ID      int64  `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfMatch string `header:"If-Match" example:"\"1\"" doc:"The dish's ETag as you last read it; the change is refused with 412 if the dish has changed since"`
	Staff   Staff  `dep:""`
	Body    DishInput
}

// PatchDishInput is the input of patchDish (PATCH /dishes/{id}); it needs
// the staff key.
type PatchDishInput struct {
	ID      int64  `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfMatch string `header:"If-Match" example:"\"1\"" doc:"The dish's ETag as you last read it; the change is refused with 412 if the dish has changed since"`
	Staff   Staff  `dep:""`
	Body    DishPatch
}

// DeleteDishInput is the input of deleteDish (DELETE /dishes/{id}); it
// needs the staff key.
type DeleteDishInput struct {
	ID      int64  `path:"id" minimum:"1" example:"1" doc:"Dish identifier"`
	IfMatch string `header:"If-Match" example:"\"1\"" doc:"The dish's ETag as you last read it; when sent, the dish is removed only if it has not changed since"`
	Staff   Staff  `dep:""`
}

// DishOut is a dish with its ETag, the output of the dish operations;
// Status is 304 for a client's current copy.
type DishOut struct {
	Status   int
	ETag     string `header:"ETag" doc:"The dish's version, for If-None-Match and If-Match"`
	Location string `header:"Location" doc:"Where the new dish is (POST only)"`
	Body     Dish
}

// registerMenu registers the menu operations.
func (s *Service) registerMenu() {
	staff := s.staff
	menu := s.api.Group("/dishes", roux.Tags("menu"))
	write := []roux.Option{roux.Secure(staff),
		roux.Response(http.StatusUnauthorized, "The staff key is missing or wrong", nil)}

	s.Ops.ListDishes = roux.Get(menu, "", s.listDishes, roux.OperationID("listDishes"), roux.Summary("List the menu"),
		roux.Description("Pages through the dishes, filtered by tags, price and availability, in the order asked for. "+
			"`next` links the following page."),
		roux.Response(http.StatusUnprocessableEntity, "A parameter is invalid, or min_price is above max_price", nil),
		roux.Middleware(middleware.Compress(middleware.CompressConfig{})))

	s.Ops.GetDish = roux.Get(menu, "/{id}", s.getDish, roux.OperationID("getDish"), roux.Summary("Get a dish"),
		roux.Description("Answers with the dish and its ETag, or 304 Not Modified when If-None-Match names the current one."),
		roux.Response(http.StatusNotModified, "The copy named by If-None-Match is current", nil),
		roux.Response(http.StatusNotFound, "No such dish", nil))

	s.Ops.CreateDish = roux.Post(menu, "", s.createDish, append(write, roux.OperationID("createDish"), roux.Summary("Add a dish"),
		roux.Status(http.StatusCreated))...)

	preconditions := []roux.Option{
		roux.Response(http.StatusNotFound, "No such dish", nil),
		roux.Response(http.StatusPreconditionFailed, "The dish has changed since the ETag in If-Match; its ETag header is the current one", nil),
		roux.Response(http.StatusPreconditionRequired, "If-Match is missing", nil),
	}
	s.Ops.ReplaceDish = roux.Put(menu, "/{id}", s.replaceDish, append(append(write, preconditions...), roux.OperationID("replaceDish"),
		roux.Summary("Replace a dish"),
		roux.Description("Replaces every field of the dish. If-Match is required: send the ETag of the dish as you read it, "+
			"so that a change made meanwhile by someone else is not overwritten (412 if it was)."))...)

	s.Ops.PatchDish = roux.Patch(menu, "/{id}", s.patchDish, append(append(write, preconditions...), roux.OperationID("patchDish"),
		roux.Summary("Change some fields of a dish"),
		roux.Description("Changes the members present in the body (a JSON merge patch without deletions). If-Match is required, as for PUT."))...)

	s.Ops.DeleteDish = roux.Delete(menu, "/{id}", s.deleteDish, append(write, roux.OperationID("deleteDish"), roux.Summary("Remove a dish"),
		roux.Description("Removes the dish from the menu; orders keep their copy. If-Match is optional here: when sent, the dish is removed only if it is unchanged."),
		roux.Response(http.StatusNotFound, "No such dish", nil),
		roux.Response(http.StatusPreconditionFailed, "The dish has changed since the ETag in If-Match", nil))...)
}

func (s *Service) listDishes(ctx context.Context, in *ListDishesInput) (*DishPage, error) {
	if in.MinPrice > 0 && in.MaxPrice > 0 && in.MinPrice > in.MaxPrice {
		e := roux.NewError(http.StatusUnprocessableEntity, "min_price is above max_price")
		e.Errors = []roux.ErrorDetail{{Detail: "must not be below min_price", Parameter: "max_price", In: "query", Code: "minimum", Value: in.MaxPrice}}
		return nil, e
	}
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	tags := slices.Clone(in.Tag)
	slices.Sort(tags)
	ds, total, err := db.Dishes(ctx, store.DishQuery{Tags: slices.Compact(tags), MinPrice: in.MinPrice, MaxPrice: in.MaxPrice,
		Available: in.Available, Sort: in.Sort, Limit: in.Limit, Offset: in.Offset})
	if err != nil {
		return nil, err
	}
	page := &DishPage{Items: make([]Dish, len(ds)), Total: total, Limit: in.Limit, Offset: in.Offset}
	for i, d := range ds {
		page.Items[i] = dishView(d)
	}
	if in.Offset+len(ds) < total {
		page.Next = in.next()
	}
	return page, nil
}

func (s *Service) getDish(ctx context.Context, in *GetDishInput) (*DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	d, err := db.Dish(ctx, in.ID)
	if err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	out := &DishOut{ETag: etag(d.Version), Body: dishView(d)}
	if out.Status, err = notModified(in.IfNoneMatch, out.ETag); err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) createDish(ctx context.Context, in *CreateDishInput) (*DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	d, err := db.CreateDish(ctx, in.Body.fields())
	if err != nil {
		return nil, err
	}
	return &DishOut{ETag: etag(d.Version), Location: "/dishes/" + itoa(d.ID), Body: dishView(d)}, nil
}

// expectedVersion reads If-Match: the version the write may change (0 for
// "*": any), or a problem — 428 without the header, 400 when it is
// malformed, 412 when no tag in it can match.
func expectedVersion(ctx context.Context, db store.Store, id int64, header string, required bool) (int64, error) {
	if header == "" {
		if required {
			return 0, roux.NewError(http.StatusPreconditionRequired,
				"send If-Match with the dish's ETag (from GET /dishes/"+itoa(id)+"), so that changes made meanwhile are not overwritten")
		}
		return 0, nil
	}
	l, err := parseETags(header)
	if err != nil {
		return 0, roux.Errorf(http.StatusBadRequest, "If-Match: %v", err)
	}
	if l.any {
		return 0, nil
	}
	vs := l.versions()
	if len(vs) == 1 {
		return vs[0], nil // the store checks it
	}
	d, err := db.Dish(ctx, id)
	if err != nil {
		return 0, storeError(err, "dish "+itoa(id))
	}
	if slices.Contains(vs, d.Version) {
		return d.Version, nil
	}
	return 0, storeError(&store.VersionError{Current: d.Version}, "dish "+itoa(id))
}

func (s *Service) replaceDish(ctx context.Context, in *ReplaceDishInput) (*DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	v, err := expectedVersion(ctx, db, in.ID, in.IfMatch, true)
	if err != nil {
		return nil, err
	}
	d, err := db.UpdateDish(ctx, in.ID, v, in.Body.fields())
	if err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	return &DishOut{ETag: etag(d.Version), Body: dishView(d)}, nil
}

func (s *Service) patchDish(ctx context.Context, in *PatchDishInput) (*DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	v, err := expectedVersion(ctx, db, in.ID, in.IfMatch, true)
	if err != nil {
		return nil, err
	}
	cur, err := db.Dish(ctx, in.ID)
	if err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	if v != 0 && cur.Version != v {
		return nil, storeError(&store.VersionError{Current: cur.Version}, "dish "+itoa(in.ID))
	}
	// Written on the condition of the version read, so that a change
	// made between the read and the write is not overwritten.
	d, err := db.UpdateDish(ctx, in.ID, cur.Version, in.Body.apply(cur.DishFields))
	if err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	return &DishOut{ETag: etag(d.Version), Body: dishView(d)}, nil
}

func (s *Service) deleteDish(ctx context.Context, in *DeleteDishInput) (*struct{}, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	v, err := expectedVersion(ctx, db, in.ID, in.IfMatch, false)
	if err != nil {
		return nil, err
	}
	if err := db.DeleteDish(ctx, in.ID, v); err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	return &struct{}{}, nil
}
