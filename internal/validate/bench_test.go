package validate

import (
	"testing"
	"unsafe"

	"github.com/roux-go/roux/internal/verr"
)

type chef struct {
	Name  string `json:"name" minLength:"1" maxLength:"40"`
	ID    string `json:"id" format:"uuid"`
	Stars int    `json:"stars,omitempty" minimum:"1" maximum:"3"`
}

type dish struct {
	ID       int64    `json:"id" minimum:"1"`
	Name     string   `json:"name" minLength:"1" maxLength:"80"`
	Price    float64  `json:"price" exclusiveMinimum:"0" multipleOf:"0.01"`
	Course   string   `json:"course" enum:"starter,main,dessert"`
	Tags     []string `json:"tags,omitempty" maxItems:"10" uniqueItems:"true" maxLength:"20"`
	Chef     chef     `json:"chef"`
	Calories int      `json:"calories" maximum:"5000"`
	Created  string   `json:"created" format:"date-time"`
	Spice    uint8    `json:"spice" maximum:"5"`
	Code     string   `json:"code" pattern:"^[A-Z]{3}-[0-9]+$"`
}

func validDish() dish {
	return dish{
		ID: 7, Name: "Crème brûlée", Price: 6.5, Course: "dessert", Tags: []string{"sweet", "french", "classic"},
		Chef:     chef{Name: "Ana", ID: "123e4567-e89b-12d3-a456-426614174000", Stars: 2},
		Calories: 420, Created: "2024-05-01T12:00:00Z", Spice: 0, Code: "DES-12",
	}
}

func TestValidZeroAllocs(t *testing.T) {
	v := compileFor[dish](t)
	d := validDish()
	var path verr.Path
	var errs verr.List
	path.SetBody()
	allocs := testing.AllocsPerRun(100, func() {
		v.Validate(unsafe.Pointer(&d), &path, &errs)
	})
	if errs.Len() != 0 {
		t.Fatalf("valid dish: got failures %v", errs.Items)
	}
	if allocs != 0 {
		t.Errorf("allocations per valid dish: got %v, want 0", allocs)
	}
}

func BenchmarkValidate(b *testing.B) {
	v := compileFor[dish](&testing.T{})
	for _, bb := range []struct {
		name  string
		dish  dish
		fails int
	}{
		{"valid", validDish(), 0},
		{"invalid", func() dish {
			d := validDish()
			d.ID, d.Name, d.Course, d.Tags[1], d.Chef.ID = 0, "", "soup", "sweet", "x"
			return d
		}(), 5},
	} {
		b.Run(bb.name, func(b *testing.B) {
			var path verr.Path
			var errs verr.List
			b.ReportAllocs()
			for b.Loop() {
				errs.Reset()
				path.SetBody()
				v.Validate(unsafe.Pointer(&bb.dish), &path, &errs)
			}
			if errs.Len() != bb.fails {
				b.Fatalf("failures: got %v, want %v: %v", errs.Len(), bb.fails, errs.Items)
			}
		})
	}
}
