package initcost_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/roux-go/roux/internal/initcost"

	// What a service and its clients import; their inits are measured.
	_ "github.com/roux-go/roux"
	_ "github.com/roux-go/roux/client"
	_ "github.com/roux-go/roux/docs"
	_ "github.com/roux-go/roux/middleware"
	_ "github.com/roux-go/roux/rouxtest"
	_ "github.com/roux-go/roux/sse"
	_ "github.com/roux-go/roux/ws"
)

const (
	module = "github.com/roux-go/roux"
	self   = module + "/internal/initcost" // this test, which is not what it measures
)

// initLine is a line of GODEBUG=inittrace=1, such as
// "init github.com/roux-go/roux @4.7 ms, 0.17 ms clock, 18016 bytes, 4033 allocs".
var initLine = regexp.MustCompile(`^init (\S+) @\S+ ms, (\S+) ms clock, (\d+) bytes, (\d+) allocs$`)

type pkgInit struct {
	pkg           string
	clock         string
	bytes, allocs int
}

// TestInitBudget runs this test binary again with GODEBUG=inittrace=1
// and no test, and adds up what roux's packages allocated while it
// initialized.
func TestInitBudget(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd, err, stderr.String())
	}
	inits, err := parseTrace(stderr.String())
	if err != nil {
		t.Fatal(err)
	}
	total, report := 0, new(strings.Builder)
	sawRoot := false
	for _, in := range inits {
		if in.pkg != module && !strings.HasPrefix(in.pkg, module+"/") || strings.HasPrefix(in.pkg, self) {
			continue
		}
		sawRoot = sawRoot || in.pkg == module
		total += in.bytes
		fmt.Fprintf(report, "\n\t%-45s %7d bytes %5d allocs %s ms", in.pkg, in.bytes, in.allocs, in.clock)
	}
	if !sawRoot {
		// The root package has work at init; without its line the trace
		// was not read, and a total of zero would mean nothing.
		t.Fatalf("no inittrace line for %s in:\n%s", module, stderr.String())
	}
	if total <= initcost.Budget {
		t.Logf("roux's packages allocate %d bytes at init (budget %d):%s", total, initcost.Budget, report)
	} else {
		t.Errorf("roux's packages allocate %d bytes at init, over the budget of %d; compute on first use what a program may not need:%s", total, initcost.Budget, report)
	}
}

func parseTrace(trace string) ([]pkgInit, error) {
	var inits []pkgInit
	sc := bufio.NewScanner(strings.NewReader(trace))
	for sc.Scan() {
		m := initLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b, err := strconv.Atoi(m[3])
		if err != nil {
			return nil, err
		}
		a, err := strconv.Atoi(m[4])
		if err != nil {
			return nil, err
		}
		inits = append(inits, pkgInit{pkg: m[1], clock: m[2], bytes: b, allocs: a})
	}
	return inits, sc.Err()
}
