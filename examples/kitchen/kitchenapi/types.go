package kitchenapi

import (
	"time"

	"github.com/roux-go/roux"
)

// The wire types: what clients send and receive. Prices are euro cents.

// Station is where a dish is prepared; each station cooks on its own.
type Station string

// The stations.
const (
	Cold   Station = "cold"
	Grill  Station = "grill"
	Wok    Station = "wok"
	Oven   Station = "oven"
	Pastry Station = "pastry"
	Bar    Station = "bar"
)

// Enum lists the stations: every schema of a Station publishes them as its
// enum, and the server and the typed client accept nothing else.
func (Station) Enum() []Station { return []Station{Cold, Grill, Wok, Oven, Pastry, Bar} }

// Dish is a dish on the menu, as the API shows it.
type Dish struct {
	ID          int64     `json:"id" readOnly:"true" example:"1" doc:"Identifier, assigned by the server"`
	Name        string    `json:"name" example:"Tomato soup"`
	Description string    `json:"description,omitempty" example:"Slow-roasted tomatoes, basil oil"`
	PriceCents  int64     `json:"price_cents" example:"650" doc:"Price in euro cents: 650 is 6.50 EUR"`
	Tags        []string  `json:"tags" example:"vegan,starter"`
	Station     Station   `json:"station" example:"cold" doc:"Where the dish is prepared"`
	PrepSeconds int       `json:"prep_seconds" example:"3" doc:"How long the dish takes to prepare"`
	Available   bool      `json:"available" doc:"Whether the dish can be ordered now"`
	Version     int64     `json:"version" readOnly:"true" example:"1" doc:"Incremented by every change; the ETag is this number in quotes"`
	CreatedAt   time.Time `json:"created_at" readOnly:"true"`
	UpdatedAt   time.Time `json:"updated_at" readOnly:"true"`
}

// DishInput is what a client sends to create or replace a dish.
type DishInput struct {
	Name        string   `json:"name" minLength:"1" maxLength:"80" pattern:"^[^\\x00]*[^\\s\\x00][^\\x00]*$" example:"Gazpacho" doc:"Display name: not blank, without NUL characters"`
	Description string   `json:"description,omitempty" maxLength:"500" pattern:"^[^\\x00]*$" example:"Cold tomato and cucumber soup"`
	PriceCents  int64    `json:"price_cents" minimum:"1" maximum:"1000000" example:"750" doc:"Price in euro cents"`
	Tags        []string `json:"tags,omitempty" maxItems:"10" maxLength:"20" pattern:"^[a-z][a-z-]*$" uniqueItems:"true" example:"vegan,starter" doc:"Lower-case words such as vegan, spicy, main"`
	Station     Station  `json:"station" example:"cold" doc:"Where the dish is prepared"`
	PrepSeconds int      `json:"prep_seconds" minimum:"0" maximum:"3600" example:"3" doc:"How long the dish takes to prepare"`
	Available   *bool    `json:"available,omitempty" example:"true" doc:"Whether the dish can be ordered; true when absent"`
}

// DishPatch is a JSON Merge Patch (RFC 7396) of a dish: a member that is
// absent keeps its value, a member with a value replaces it, and a null
// description clears it. The other members cannot be null: a dish always
// has them.
type DishPatch struct {
	Name        roux.Optional[string]   `json:"name,omitzero" minLength:"1" maxLength:"80" pattern:"^[^\\x00]*[^\\s\\x00][^\\x00]*$" example:"Gazpacho"`
	Description roux.Optional[*string]  `json:"description,omitzero" maxLength:"500" pattern:"^[^\\x00]*$" doc:"The new description, or null to remove it"`
	PriceCents  roux.Optional[int64]    `json:"price_cents,omitzero" minimum:"1" maximum:"1000000" example:"800"`
	Tags        roux.Optional[[]string] `json:"tags,omitzero" maxItems:"10" maxLength:"20" pattern:"^[a-z][a-z-]*$" uniqueItems:"true" doc:"The new tags, all of them ([] for none)"`
	Station     roux.Optional[Station]  `json:"station,omitzero"`
	PrepSeconds roux.Optional[int]      `json:"prep_seconds,omitzero" minimum:"0" maximum:"3600"`
	Available   roux.Optional[bool]     `json:"available,omitzero" example:"false"`
}

// DishPage is one page of the menu.
type DishPage struct {
	Items  []Dish `json:"items"`
	Total  int    `json:"total" example:"8" doc:"How many dishes match, on every page"`
	Limit  int    `json:"limit" example:"20"`
	Offset int    `json:"offset" example:"0"`
	Next   string `json:"next,omitempty" example:"/dishes?limit=20&offset=20" doc:"The next page, when there is one"`
}

// Order is an order, as the API shows it.
type Order struct {
	ID         int64       `json:"id" example:"1"`
	Status     string      `json:"status" enum:"received,cooking,ready,cancelled" example:"cooking" doc:"received, then cooking, then ready; or cancelled"`
	Note       string      `json:"note,omitempty" example:"No onions, please"`
	Items      []OrderItem `json:"items"`
	TotalCents int64       `json:"total_cents" example:"1950" doc:"Sum of the lines in euro cents; GET /orders/{id}/bill for the bill"`
	Version    int64       `json:"version" example:"4" doc:"Incremented by every change; the ETag is this number in quotes"`
	Events     string      `json:"events" example:"/orders/1/events" doc:"The order's progress as server-sent events"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
}

// OrderItem is one line of an order.
type OrderItem struct {
	Line           int     `json:"line" example:"1"`
	DishID         int64   `json:"dish_id,omitempty" example:"1" doc:"Absent when the dish has since been removed from the menu"`
	Name           string  `json:"name" example:"Tomato soup"`
	UnitPriceCents int64   `json:"unit_price_cents" example:"650" doc:"The price when ordered"`
	Quantity       int     `json:"quantity" example:"2"`
	Station        Station `json:"station" example:"cold"`
	Status         string  `json:"status" enum:"queued,cooking,done,cancelled" example:"cooking"`
}

// OrderInput is what a customer sends to order.
type OrderInput struct {
	Items []OrderLine `json:"items" minItems:"1" maxItems:"20" doc:"The dishes, each at most 20 times"`
	Note  string      `json:"note,omitempty" maxLength:"200" pattern:"^[^\\x00]*$" example:"No onions, please"`
}

// OrderLine is a dish and how many of it.
type OrderLine struct {
	DishID   int64 `json:"dish_id" minimum:"1" example:"1"`
	Quantity int   `json:"quantity" minimum:"1" maximum:"20" example:"2"`
}

// OrderPage is one page of a customer's orders, newest first.
type OrderPage struct {
	Items  []Order `json:"items"`
	Total  int     `json:"total" example:"1"`
	Limit  int     `json:"limit" example:"20"`
	Offset int     `json:"offset" example:"0"`
}

// NewCustomer is a customer to register.
type NewCustomer struct {
	Name string `json:"name" minLength:"1" maxLength:"80" pattern:"^[^\\x00]*[^\\s\\x00][^\\x00]*$" example:"Ann"`
}

// Customer is a registered customer with the token to order with.
type Customer struct {
	ID    int64  `json:"id" example:"2"`
	Name  string `json:"name" example:"Ann"`
	Token string `json:"token" example:"9b1f0c4e2d7a" doc:"The bearer token to order with. It is shown once: the kitchen keeps only its hash"`
}

// Bill is an order's bill.
type Bill struct {
	OrderID       int64      `json:"order_id" example:"1"`
	Currency      string     `json:"currency" example:"EUR"`
	Lines         []BillLine `json:"lines"`
	SubtotalCents int64      `json:"subtotal_cents" example:"1950" doc:"The dishes, VAT included"`
	VATCents      int64      `json:"vat_cents" example:"177" doc:"The 10% VAT the subtotal includes"`
	TipCents      int64      `json:"tip_cents" example:"195"`
	TotalCents    int64      `json:"total_cents" example:"2145"`
	Split         []Share    `json:"split" doc:"What each guest pays: whole dishes, the tip in proportion"`
	SplitOptimal  bool       `json:"split_optimal" doc:"Whether the split is proven the most even possible"`
}

// BillLine is a line of the bill.
type BillLine struct {
	Line           int    `json:"line" example:"1"`
	Name           string `json:"name" example:"Tomato soup"`
	Quantity       int    `json:"quantity" example:"2"`
	UnitPriceCents int64  `json:"unit_price_cents" example:"650"`
	TotalCents     int64  `json:"total_cents" example:"1300"`
}

// Share is one guest's part of the bill.
type Share struct {
	Guest      int      `json:"guest" example:"1"`
	Dishes     []int    `json:"dishes" example:"1,1" doc:"The line of each dish the guest pays for"`
	DishCents  int64    `json:"dish_cents" example:"1300"`
	TipCents   int64    `json:"tip_cents" example:"130"`
	TotalCents int64    `json:"total_cents" example:"1430"`
	Names      []string `json:"names" example:"Tomato soup,Tomato soup"`
}

// OrderEvent is one event of an order's stream: exactly one field is
// set. The event's ID (and the Last-Event-ID a client resumes with) is
// its seq.
type OrderEvent struct {
	// Order is sent when the order's status changes.
	Order *OrderChange `event:"order"`
	// Item is sent when a line's status changes.
	Item *ItemChange `event:"item"`
}

// OrderChange is the data of an "order" event: the order's new status.
type OrderChange struct {
	Seq     int64     `json:"seq" example:"1" doc:"The event's number in the order's log; also its SSE id"`
	OrderID int64     `json:"order_id" example:"1"`
	At      time.Time `json:"at"`
	Status  string    `json:"status" enum:"received,cooking,ready,cancelled" example:"cooking" doc:"The order's new status; the stream ends after ready or cancelled"`
}

// ItemChange is the data of an "item" event: a line's new status.
type ItemChange struct {
	Seq     int64     `json:"seq" example:"3" doc:"The event's number in the order's log; also its SSE id"`
	OrderID int64     `json:"order_id" example:"1"`
	At      time.Time `json:"at"`
	Line    int       `json:"line" example:"1" doc:"The line of the order"`
	Dish    string    `json:"dish" example:"Tomato soup" doc:"The line's dish"`
	Status  string    `json:"status" enum:"queued,cooking,done,cancelled" example:"done" doc:"The line's new status"`
}

// DishOut is a dish with its ETag, the output of the dish operations.
// A GET whose If-None-Match names the ETag gets 304 Not Modified; Status
// tells a client which it got.
type DishOut struct {
	Status int
	ETag   string `header:"ETag" doc:"The dish's version, for If-None-Match and If-Match"`
	Body   Dish
}

// DishCreated is a new dish, where it is and its ETag.
type DishCreated struct {
	Status   int
	ETag     string `header:"ETag" doc:"The dish's version, for If-None-Match and If-Match"`
	Location string `header:"Location" doc:"Where the new dish is"`
	Body     Dish
}

// OrderOut is an order with its ETag, the output of the order
// operations. A GET whose If-None-Match names the ETag gets 304 Not
// Modified.
type OrderOut struct {
	Status int
	ETag   string `header:"ETag" doc:"The order's version; it changes with every step of the kitchen"`
	Body   Order
}

// OrderAccepted is a new order, where to follow it and its ETag.
type OrderAccepted struct {
	Status   int
	ETag     string `header:"ETag" doc:"The order's version; it changes with every step of the kitchen"`
	Location string `header:"Location" doc:"Where to follow the order"`
	Body     Order
}

// WebhookEndpoint is where a customer wants the kitchen's webhook
// messages ([OrderReady]) sent.
type WebhookEndpoint struct {
	URL string `json:"url" format:"uri" maxLength:"2000" pattern:"^https?://" example:"https://example.com/kitchen-hooks" doc:"An http or https URL. Its host must be a public address: the kitchen refuses loopback, private and link-local ones (unless it runs with -webhook-to naming them), here when the URL names an address and when it connects to the address a name resolves to"`
}

// Webhook is a customer's registered webhook endpoint, with the secret
// its messages are signed with.
type Webhook struct {
	URL    string `json:"url" example:"https://example.com/kitchen-hooks"`
	Secret string `json:"secret" example:"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" doc:"The secret the messages are signed with, as Standard Webhooks write it: \"whsec_\" and the base64 of the HMAC-SHA256 key. Shown in this answer only; every PUT makes a new one"`
}

// WebhookSet is the answer to [SetWebhook]: 201 for a new endpoint, 200
// for one that replaced the endpoint registered.
type WebhookSet struct {
	Status int
	Body   Webhook
}

// OrderReadyEvent is the payload of the [OrderReady] webhook, as
// Standard Webhooks shape payloads: a type, a timestamp and the data.
type OrderReadyEvent struct {
	Type      string    `json:"type" enum:"order.ready" example:"order.ready" doc:"The event's type"`
	Timestamp time.Time `json:"timestamp" doc:"When the order became ready"`
	Data      Order     `json:"data" doc:"The order, as GET /orders/{id} shows it"`
}
