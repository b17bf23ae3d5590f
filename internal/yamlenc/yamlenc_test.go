package yamlenc

import "testing"

func TestFromJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, in, want string
	}{
		{"scalar", `1`, "1\n"},
		{"object", `{"a":1,"b":"x"}`, "a: 1\nb: \"x\"\n"},
		{"order kept", `{"z":1,"a":2}`, "z: 1\na: 2\n"},
		{"nested", `{"a":{"b":[1,2]}}`, "a:\n  b:\n    - 1\n    - 2\n"},
		{"empty", `{"a":{},"b":[]}`, "a: {}\nb: []\n"},
		{"objects in array", `[{"a":1,"b":2},{"c":3}]`, "- a: 1\n  b: 2\n- c: 3\n"},
		{"quoted keys", `{"$ref":"#/x","/p/{id}":null,"true":true}`, "\"$ref\": \"#/x\"\n\"/p/{id}\": null\n\"true\": true\n"},
		{"array of arrays", `[[1],[]]`, "- \n  - 1\n- []\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := FromJSON([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
