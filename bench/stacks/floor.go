package stacks

import (
	"encoding/json"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// The floor: hand-written net/http with encoding/json, doing the same
// work as the frameworks — routing (ServeMux), parsing, every check,
// every failure collected into one 422 problem, Content-Length set.

type floorItem struct {
	ID    int64  `json:"id"`
	Q     string `json:"q"`
	Limit int    `json:"limit"`
}

type floorBody struct {
	Name  *string  `json:"name"`
	Price *float64 `json:"price"`
	Tags  []string `json:"tags,omitempty"`
}

type floorOut struct {
	Name  string   `json:"name"`
	Price float64  `json:"price"`
	Tags  []string `json:"tags,omitempty"`
}

type floorError struct {
	Detail    string `json:"detail"`
	Parameter string `json:"parameter,omitempty"`
	Pointer   string `json:"pointer,omitempty"`
	In        string `json:"in,omitempty"`
}

type floorProblem struct {
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Errors []floorError `json:"errors,omitempty"`
}

func floorJSON(w http.ResponseWriter, status int, ct string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{ct}
	h["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(status)
	w.Write(b)
}

func floorFail(w http.ResponseWriter, status int, errs []floorError) {
	floorJSON(w, status, "application/problem+json", floorProblem{Title: http.StatusText(status), Status: status, Errors: errs})
}

// NewFloor returns the hand-written net/http implementation.
func NewFloor() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /json", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Server"] = []string{serverName}
		floorJSON(w, 200, "application/json", struct {
			Message string `json:"message"`
		}{"Hello, World!"})
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		var errs []floorError
		it := floorItem{Limit: 10}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		switch {
		case err != nil:
			errs = append(errs, floorError{Detail: "expected an integer", Parameter: "id", In: "path"})
		case id < 1:
			errs = append(errs, floorError{Detail: "expected a value >= 1", Parameter: "id", In: "path"})
		}
		it.ID = id
		q := r.URL.Query()
		it.Q = q.Get("q")
		if l, ok := q["limit"]; ok && len(l) > 0 {
			n, err := strconv.Atoi(l[0])
			switch {
			case err != nil:
				errs = append(errs, floorError{Detail: "expected an integer", Parameter: "limit", In: "query"})
			case n < 1 || n > 100:
				errs = append(errs, floorError{Detail: "expected a value in 1..100", Parameter: "limit", In: "query"})
			}
			it.Limit = n
		}
		if len(errs) > 0 {
			floorFail(w, 422, errs)
			return
		}
		floorJSON(w, 200, "application/json", &it)
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		var in floorBody
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			floorFail(w, 400, []floorError{{Detail: err.Error()}})
			return
		}
		var errs []floorError
		switch {
		case in.Name == nil:
			errs = append(errs, floorError{Detail: "required", Pointer: "/name"})
		case utf8.RuneCountInString(*in.Name) < 1 || utf8.RuneCountInString(*in.Name) > 50:
			errs = append(errs, floorError{Detail: "expected 1..50 characters", Pointer: "/name"})
		}
		switch {
		case in.Price == nil:
			errs = append(errs, floorError{Detail: "required", Pointer: "/price"})
		case *in.Price <= 0:
			errs = append(errs, floorError{Detail: "expected a value > 0", Pointer: "/price"})
		}
		if len(errs) > 0 {
			floorFail(w, 422, errs)
			return
		}
		floorJSON(w, 201, "application/json", &floorOut{Name: *in.Name, Price: *in.Price, Tags: in.Tags})
	})
	return mux
}
