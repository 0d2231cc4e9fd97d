package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// envPrefix names the environment variable that backs each flag. serve's
// flags and --db (shared, so tasks and show read what serve records) are
// A2A_PROXY_<FLAG>: --admin-token is A2A_PROXY_ADMIN_TOKEN. Other commands'
// flags carry the command's name, so that a variable meant for serve does not
// move another command: agent's --listen is A2A_PROXY_AGENT_LISTEN.
const envPrefix = "A2A_PROXY_"

func envName(command, flagName string) string {
	name := flagName
	if command != "serve" && flagName != "db" {
		name = command + "_" + flagName
	}
	return envPrefix + strings.ToUpper(strings.NewReplacer("-", "_", " ", "_").Replace(name))
}

// newFlagSet returns a flag set whose usage shows the command's synopsis and
// each flag with its environment variable.
func newFlagSet(name, synopsis string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "%s\n", synopsis)
		hasFlags := false
		fs.VisitAll(func(*flag.Flag) { hasFlags = true })
		if !hasFlags {
			return
		}
		fmt.Fprintf(out, "\nFlags (each also read from the environment variable shown):\n")
		fs.VisitAll(func(f *flag.Flag) {
			kind, usage := flag.UnquoteUsage(f)
			fmt.Fprintf(out, "  --%s %s\n    \t%s", f.Name, kind, strings.ReplaceAll(usage, "\n", "\n    \t"))
			if f.DefValue != "" && f.DefValue != "[]" && f.DefValue != "false" {
				fmt.Fprintf(out, " (default %q)", f.DefValue)
			}
			fmt.Fprintf(out, " [%s]\n", envName(fs.Name(), f.Name))
		})
	}
	return fs
}

// parseFlags applies the environment first, so that command-line flags win.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		v, ok := os.LookupEnv(envName(fs.Name(), f.Name))
		if !ok || envErr != nil {
			return
		}
		if list, isList := f.Value.(*stringList); isList {
			for _, item := range strings.Split(v, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list.add(item)
				}
			}
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			envErr = fmt.Errorf("%s: %w", envName(fs.Name(), f.Name), err)
		}
	})
	if envErr != nil {
		return envErr
	}
	return fs.Parse(args)
}

// stringList is a repeatable flag. In the environment its values are
// separated by commas. Values from the command line replace those from the
// environment.
type stringList struct {
	values  []string
	fromCLI bool
	to      *[]string // if set, kept equal to values
}

func (l *stringList) String() string { return strings.Join(l.values, ",") }

func (l *stringList) Set(v string) error {
	if !l.fromCLI {
		l.values, l.fromCLI = nil, true
	}
	l.add(v)
	return nil
}

// optionalValue is a string flag that may also be given bare (--flag),
// meaning "true"; a value needs the = form (--flag=VALUE).
type optionalValue struct{ v *string }

func (o optionalValue) String() string {
	if o.v == nil {
		return ""
	}
	return *o.v
}

func (o optionalValue) Set(v string) error { *o.v = v; return nil }

func (o optionalValue) IsBoolFlag() bool { return true }

func (l *stringList) add(v string) {
	l.values = append(l.values, v)
	if l.to != nil {
		*l.to = l.values
	}
}
