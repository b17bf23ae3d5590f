package kitchen

import (
	"context"
	"errors"

	"github.com/roux-go/roux"

	"github.com/roux-go/roux/examples/kitchen/internal/store"
)

// Staff is who holds the staff key.
type Staff struct{}

// staffAuth is the API key that menu changes and customer registration
// need, sent in the X-Staff-Key header.
func (s *Service) staffAuth() *roux.Dep[Staff] {
	key := s.cfg.StaffKey
	if key == "" {
		key = DemoStaffKey
	}
	return roux.APIKeyAuth("staffKey", roux.InHeader, "X-Staff-Key", func(ctx context.Context, got string) (Staff, error) {
		if !roux.SecretEqual(got, key) {
			return Staff{}, roux.ErrUnauthorized
		}
		return Staff{}, nil
	})
}

// customerAuth is the bearer token of a customer, looked up by its hash.
func (s *Service) customerAuth() *roux.Dep[store.Customer] {
	return roux.BearerAuth("customerToken", func(ctx context.Context, token string) (store.Customer, error) {
		db, err := s.db()
		if err != nil {
			return store.Customer{}, err
		}
		c, err := db.CustomerByToken(ctx, hashToken(token))
		if errors.Is(err, store.ErrNotFound) {
			return c, roux.ErrUnauthorized
		}
		return c, s.unavailableError(ctx, err)
	})
}
