package cli

import (
	"io"
	"log/slog"
	"net"
	"os"
)

// Option configures [Main] and [Run]. Build options with the
// constructors in this file; the interface is sealed.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is what the options of one run add up to.
type config struct {
	name           string
	args           []string
	argsSet        bool
	stdout, stderr io.Writer
	addr           string
	logger         *slog.Logger
	onServe        func(addr string)
	listener       net.Listener
	envPrefix      string
	getenv         func(name string) string
	flags          []programFlags
}

// programFlags is one [Flags] option.
type programFlags struct {
	envPrefix string
	define    func(fs *FlagSet)
}

func newConfig(opts []Option) *config {
	c := &config{stdout: os.Stdout, stderr: os.Stderr, addr: DefaultAddr, envPrefix: "ROUX_"}
	for _, o := range opts {
		o.apply(c)
	}
	if c.name == "" {
		c.name = "roux"
		if len(os.Args) > 0 {
			c.name = baseName(os.Args[0])
		}
	}
	if !c.argsSet && len(os.Args) > 1 {
		c.args = os.Args[1:]
	}
	return c
}

// lookupEnv reads an environment variable through the [Getenv] option,
// or os.LookupEnv.
func (c *config) lookupEnv(name string) (string, bool) {
	if c.getenv != nil {
		v := c.getenv(name)
		return v, v != ""
	}
	return os.LookupEnv(name)
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' || p[i] == '\\' {
			return p[i+1:]
		}
	}
	return p
}

// Name sets the program name used in usage text and messages. It
// defaults to the base name of os.Args[0].
func Name(name string) Option {
	return optionFunc(func(c *config) { c.name = name })
}

// Args sets the command-line arguments, without the program name, in
// place of os.Args[1:]. Args() with none means no arguments.
func Args(args ...string) Option {
	return optionFunc(func(c *config) { c.args, c.argsSet = args, true })
}

// Stdout sets where spec prints the document; it defaults to os.Stdout.
func Stdout(w io.Writer) Option {
	return optionFunc(func(c *config) { c.stdout = w })
}

// Stderr sets where usage text, usage errors and, unless [Logger] is
// given, the log go; it defaults to os.Stderr.
func Stderr(w io.Writer) Option {
	return optionFunc(func(c *config) { c.stderr = w })
}

// Addr sets serve's default listen address, which -addr (and ROUX_ADDR)
// override. It defaults to [DefaultAddr].
func Addr(addr string) Option {
	return optionFunc(func(c *config) { c.addr = addr })
}

// Logger sets the logger given to the program ([Setup.Logger]) and used
// by serve, in place of the one -log-level and -log-format ask for; those
// flags are then accepted and not read.
func Logger(l *slog.Logger) Option {
	return optionFunc(func(c *config) { c.logger = l })
}

// OnServe sets a function serve calls with the bound address (with the
// real port when -addr asked for port 0) just before it starts accepting
// connections.
func OnServe(f func(addr string)) Option {
	return optionFunc(func(c *config) { c.onServe = f })
}

// Listener sets the socket serve accepts on instead of listening on
// -addr. serve leaves it open when it shuts down, so the connections
// queued in it wait for the next server: hand the same socket to each
// server in turn and a restart loses no request. serve also takes a
// socket from systemd socket activation (LISTEN_FDS=1) the same way. It
// must be a *net.TCPListener.
func Listener(ln net.Listener) Option {
	return optionFunc(func(c *config) { c.listener = ln })
}

// EnvPrefix sets the prefix of the environment variables that give cli's
// own flags their defaults (ROUX_ADDR for -addr, ...). It defaults to
// "ROUX_". A program's own flags have the prefix given to [Flags].
func EnvPrefix(prefix string) Option {
	return optionFunc(func(c *config) { c.envPrefix = prefix })
}

// Getenv sets the function that reads environment variables, in place of
// os.LookupEnv; an empty value counts as unset. Tests set it.
func Getenv(getenv func(name string) string) Option {
	return optionFunc(func(c *config) { c.getenv = getenv })
}

// Flags declares the program's own flags: define is called once, before
// the command line is parsed, to define them on a [FlagSet]. Each takes
// its default from the environment variable envPrefix followed by the
// flag's name upper-cased, "-" as "_" (with envPrefix "KITCHEN_", -data
// reads KITCHEN_DATA), unless [FlagSet.Env] names another; an empty
// envPrefix reads none but those. The flags are given on the same command
// line as cli's, before or after the command, and listed in the same
// usage. Their values are where define bound them, set by the time the
// build function of [Main] runs.
//
// Flags may be given more than once; each set is listed apart.
func Flags(envPrefix string, define func(fs *FlagSet)) Option {
	return optionFunc(func(c *config) { c.flags = append(c.flags, programFlags{envPrefix, define}) })
}
