package cli

// The command line is parsed as one: every flag — the program's, those
// of both commands, serve's and spec's — is defined on a single
// flag.FlagSet, sharing its flag.Value with the group that defined it.
// Parsing stops at the first argument that is not a flag, which names
// the command; the rest is parsed by the same set. So flags go before or
// after the command, each flag's Value is set once per occurrence (a
// flag.Func that appends sees each value once), and a flag of the other
// command is refused by name afterwards. The groups themselves are never
// parsed: they keep each flag's default, environment included, for the
// usage text, which lists them group by group.

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// FlagSet is where a program defines its own flags (see [Flags]): a
// [flag.FlagSet], whose methods (BoolVar, StringVar, DurationVar, IntVar,
// Func, TextVar, Var, ...) define typed flags as usual, with the default
// a program gets when neither the command line nor the environment sets
// the flag. cli parses the command line: a program only defines flags on
// it, and reads their values in its build function.
type FlagSet struct {
	*flag.FlagSet
	env map[string]string // flag name -> variable, from Env
}

// Env names the environment variable that gives the flag called name its
// default, in place of the one [Flags] derives from the name; "" reads
// none. It may be called before or after the flag is defined.
func (fs *FlagSet) Env(name, variable string) {
	fs.env[name] = variable
}

// group is a set of flags listed together in the usage text.
type group struct {
	title string
	fs    *flag.FlagSet
	cmd   string                   // the command that takes them; "" for both
	env   func(flag string) string // the flag's environment variable; "" for none
}

// envName is the variable prefix+NAME for the flag name: upper-cased,
// "-" as "_".
func envName(prefix, name string) string {
	if prefix == "" {
		return ""
	}
	return prefix + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// commandLine is the parsed form of a run's arguments.
type commandLine struct {
	cfg     *config
	groups  []*group
	all     *flag.FlagSet
	owner   map[string]*group
	envErrs map[string]error // by flag name
}

// newCommandLine defines every flag: the program's (the Flags options),
// then cli's, bound to s; it applies the environment defaults and merges
// the groups into one set. Its error is the program's (a flag defined
// twice), not the user's.
func newCommandLine(c *config, s *settings) (*commandLine, error) {
	cl := &commandLine{cfg: c, owner: map[string]*group{}, envErrs: map[string]error{}}
	for _, pf := range c.flags {
		fs := &FlagSet{FlagSet: flag.NewFlagSet(c.name, flag.ContinueOnError), env: map[string]string{}}
		pf.define(fs)
		title := c.name + "'s flags"
		if pf.envPrefix != "" {
			title += " (defaults from " + pf.envPrefix + "<NAME>)"
		}
		prefix, env := pf.envPrefix, fs.env
		for name, v := range env {
			if f := fs.Lookup(name); f != nil {
				if v == "" {
					f.Usage += " (no environment variable)"
				} else if v != envName(prefix, name) {
					f.Usage += " (environment variable " + v + ")"
				}
			}
		}
		cl.groups = append(cl.groups, &group{title: title, fs: fs.FlagSet, env: func(name string) string {
			if v, ok := env[name]; ok {
				return v
			}
			return envName(prefix, name)
		}})
	}
	cliEnv := func(name string) string { return envName(c.envPrefix, name) }
	var suffix string
	if c.envPrefix != "" {
		suffix = " (defaults from " + c.envPrefix + "<NAME>)"
	}
	both := flag.NewFlagSet("", flag.ContinueOnError)
	s.logFlags(both)
	serve := flag.NewFlagSet("serve", flag.ContinueOnError)
	s.serve.flags(serve, c.addr)
	spec := flag.NewFlagSet("spec", flag.ContinueOnError)
	s.specFlags(spec)
	cl.groups = append(cl.groups,
		&group{title: "flags of serve and spec" + suffix, fs: both, env: cliEnv},
		&group{title: "serve's flags" + suffix, fs: serve, cmd: "serve", env: cliEnv},
		&group{title: "spec's flags", fs: spec, cmd: "spec", env: func(string) string { return "" }},
	)

	cl.all = flag.NewFlagSet(c.name, flag.ContinueOnError)
	cl.all.SetOutput(io.Discard) // errors and -h are written by Run
	cl.all.Usage = func() {}
	var errs []error
	for _, g := range cl.groups {
		g.fs.VisitAll(func(f *flag.Flag) {
			if other, ok := cl.owner[f.Name]; ok {
				errs = append(errs, fmt.Errorf("cli: flag -%s is defined twice, among %s and among %s", f.Name, other.title, g.title))
				return
			}
			cl.applyEnv(g, f)
			cl.owner[f.Name] = g
			cl.all.Var(f.Value, f.Name, f.Usage)
		})
	}
	return cl, errors.Join(errs...)
}

// applyEnv sets f from its environment variable, if set, and makes that
// the default the usage shows. A bad value is kept for later: it is an
// error only when the command line does not set the flag.
func (cl *commandLine) applyEnv(g *group, f *flag.Flag) {
	name := g.env(f.Name)
	if name == "" {
		return
	}
	v, ok := cl.cfg.lookupEnv(name)
	if !ok {
		return
	}
	if err := f.Value.Set(v); err != nil {
		cl.envErrs[f.Name] = fmt.Errorf("invalid value %q for %s (flag -%s): %v", v, name, f.Name, err)
		return
	}
	f.DefValue = f.Value.String()
}

// parse parses the arguments: flags, an optional command ("serve" when
// there is none), flags. help reports -h or the help command.
func (cl *commandLine) parse(args []string) (cmd string, help bool, err error) {
	cmd = "serve"
	err = cl.all.Parse(args)
	if err == nil && cl.all.NArg() > 0 {
		cmd = cl.all.Arg(0)
		switch cmd {
		case "serve", "spec":
			err = cl.all.Parse(cl.all.Args()[1:])
		case "help":
			return cmd, true, nil
		default:
			return cmd, false, usagef("unknown command %q", cmd)
		}
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return cmd, true, nil
	case err != nil:
		return cmd, false, usagef("%v", err)
	case cl.all.NArg() > 0:
		return cmd, false, usagef("unexpected argument %q", cl.all.Arg(0))
	}
	set := map[string]bool{}
	cl.all.Visit(func(f *flag.Flag) {
		set[f.Name] = true
		if g := cl.owner[f.Name]; g.cmd != "" && g.cmd != cmd && err == nil {
			err = usagef("-%s is a flag of %s, not of %s", f.Name, g.cmd, cmd)
		}
	})
	if err != nil {
		return cmd, false, err
	}
	var bad []string
	for name, e := range cl.envErrs {
		if g := cl.owner[name]; !set[name] && (g.cmd == "" || g.cmd == cmd) {
			bad = append(bad, e.Error())
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		return cmd, false, usagef("%s", strings.Join(bad, "; "))
	}
	return cmd, false, nil
}

// usage writes the one usage text: the commands, then every group of
// flags with its defaults.
func (cl *commandLine) usage(w io.Writer) {
	fmt.Fprintf(w, `usage:
  %[1]s [serve] [flags]  serve the API until SIGINT or SIGTERM
  %[1]s spec [flags]     print the OpenAPI document and exit
  %[1]s help             print this text

Flags go before or after the command. A flag takes its default from an
environment variable named after it: <NAME> is the flag's name in upper
case with "-" as "_" (%[2]s for -log-level); the command line wins.
`, cl.cfg.name, envName(cl.cfg.envPrefix, "log-level"))
	for _, g := range cl.groups {
		fmt.Fprintf(w, "\n%s:\n", g.title)
		g.fs.SetOutput(w)
		g.fs.PrintDefaults()
	}
}

// usageError is a mistake on the command line, or one a program reports
// with [Usagef]: [Run] writes its message, and [Main] exits with status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return ErrUsage.Error() + ": " + e.msg }
func (e *usageError) Unwrap() error { return ErrUsage }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// Usagef returns a usage error with the message format makes (as
// fmt.Sprintf does): a program's build function returns one when its
// flags do not go together. [Run] writes the message to standard error
// after the program's name, with a pointer to -h, and returns the error,
// which matches [ErrUsage]; [Main] exits with status 2.
func Usagef(format string, args ...any) error {
	return usagef(format, args...)
}
