package kitchen

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
	"github.com/roux-go/roux/examples/kitchen/kitchenapi"
)

// nextPage returns the URL of the page after the one in asks for.
func nextPage(in *kitchenapi.ListDishesInput) string {
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

// registerMenu registers the menu operations.
func (s *Service) registerMenu() {
	write := append(wrap(s.limits.authFailures), roux.Secure(s.staff), unavailable,
		roux.Response(http.StatusUnauthorized, "The staff key is missing or wrong", nil))
	roux.Handle(s.api, kitchenapi.ListDishes, storeErrors(s, s.listDishes), unavailable, compress)
	roux.Handle(s.api, kitchenapi.GetDish, storeErrors(s, s.getDish), unavailable)
	roux.Handle(s.api, kitchenapi.CreateDish, storeErrors(s, s.createDish), write...)
	roux.Handle(s.api, kitchenapi.ReplaceDish, storeErrors(s, s.replaceDish), write...)
	roux.Handle(s.api, kitchenapi.PatchDish, storeErrors(s, s.patchDish), write...)
	roux.Handle(s.api, kitchenapi.DeleteDish, storeErrors(s, s.deleteDish), write...)
}

func (s *Service) listDishes(ctx context.Context, in *kitchenapi.ListDishesInput) (*kitchenapi.DishPage, error) {
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
	page := &kitchenapi.DishPage{Items: make([]kitchenapi.Dish, len(ds)), Total: total, Limit: in.Limit, Offset: in.Offset}
	for i, d := range ds {
		page.Items[i] = dishView(d)
	}
	if in.Offset+len(ds) < total {
		page.Next = nextPage(in)
	}
	return page, nil
}

func (s *Service) getDish(ctx context.Context, in *kitchenapi.GetDishInput) (*kitchenapi.DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	d, err := db.Dish(ctx, in.ID)
	if err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	return &kitchenapi.DishOut{ETag: etag(d.Version), Body: dishView(d)}, nil
}

func (s *Service) createDish(ctx context.Context, in *kitchenapi.CreateDishInput) (*kitchenapi.DishCreated, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	d, err := db.CreateDish(ctx, dishFields(in.Body))
	if err != nil {
		return nil, err
	}
	return &kitchenapi.DishCreated{ETag: etag(d.Version), Location: "/dishes/" + itoa(d.ID), Body: dishView(d)}, nil
}

// expectedVersion reads If-Match (roux has answered 428 where it is
// required and missing): the version the write may change (0 for "*", or
// when it is not sent: any), or a 412 problem when no tag in it can
// match.
func expectedVersion(ctx context.Context, db store.Store, id int64, l roux.ETags) (int64, error) {
	if !l.Sent() || l.Any() {
		return 0, nil
	}
	vs := versions(l)
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

func (s *Service) replaceDish(ctx context.Context, in *kitchenapi.ReplaceDishInput) (*kitchenapi.DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	v, err := expectedVersion(ctx, db, in.ID, in.IfMatch)
	if err != nil {
		return nil, err
	}
	d, err := db.UpdateDish(ctx, in.ID, v, dishFields(in.Body))
	if err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	return &kitchenapi.DishOut{ETag: etag(d.Version), Body: dishView(d)}, nil
}

// patchAttempts bounds how many times patchDish reads and writes a dish
// that other writers keep changing under it.
const patchAttempts = 20

// patchDish applies the merge patch to the dish as read, and writes the
// result on the condition of the version read, so that a change made
// between the read and the write is not overwritten. When one was, it
// reads the dish again and applies the patch anew as long as If-Match
// still holds: always for "*", which holds while the dish exists
// (RFC 9110 §13.1.1), and for a list of tags while one names the
// current version.
func (s *Service) patchDish(ctx context.Context, in *kitchenapi.PatchDishInput) (*kitchenapi.DishOut, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		cur, err := db.Dish(ctx, in.ID)
		if err != nil {
			return nil, storeError(err, "dish "+itoa(in.ID))
		}
		if in.IfMatch.Sent() && !in.IfMatch.Any() && !slices.Contains(versions(in.IfMatch), cur.Version) {
			return nil, storeError(&store.VersionError{Current: cur.Version}, "dish "+itoa(in.ID))
		}
		f, err := applyPatch(&in.Body, cur)
		if err != nil {
			return nil, err
		}
		d, err := db.UpdateDish(ctx, in.ID, cur.Version, f)
		var ve *store.VersionError
		if errors.As(err, &ve) && attempt < patchAttempts {
			continue // changed since it was read
		}
		if err != nil {
			return nil, storeError(err, "dish "+itoa(in.ID))
		}
		return &kitchenapi.DishOut{ETag: etag(d.Version), Body: dishView(d)}, nil
	}
}

func (s *Service) deleteDish(ctx context.Context, in *kitchenapi.DeleteDishInput) (*struct{}, error) {
	db, err := s.db()
	if err != nil {
		return nil, err
	}
	v, err := expectedVersion(ctx, db, in.ID, in.IfMatch)
	if err != nil {
		return nil, err
	}
	if err := db.DeleteDish(ctx, in.ID, v); err != nil {
		return nil, storeError(err, "dish "+itoa(in.ID))
	}
	return &struct{}{}, nil
}
