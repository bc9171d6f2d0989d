package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/chatmigrate/chatmigrate/migrate/chatapi/chatsim"
)

// dialectFlags are -dialect and one flag per dialect option. The options apply on top of the
// preset whatever their order on the command line, so they are collected during parsing and
// applied by resolve.
type dialectFlags struct {
	spec  string
	names []string // options in the order given
	vals  map[string]string
}

func addDialectFlags(fs *flag.FlagSet) *dialectFlags {
	d := &dialectFlags{vals: make(map[string]string)}
	fs.StringVar(&d.spec, "dialect", "", "`name` of a preset reading of the vendor's open questions ("+
		strings.Join(chatsim.DialectNames(), ", ")+"), optionally followed by ,option=value...; default: the world's, else default")
	for _, o := range chatsim.DialectOptions() {
		usage := "`N` " + o.Usage
		switch {
		case len(o.Values) == 2 && o.Values[0] == "false":
			usage = o.Usage
		case len(o.Values) > 0:
			usage = o.Usage + " (`reading`: " + strings.Join(o.Values, " | ") + "; default " + o.Values[0] + ")"
		}
		set := func(v string) error {
			var probe chatsim.Dialect
			if err := probe.Set(o.Name, v); err != nil {
				return err
			}
			if _, seen := d.vals[o.Name]; !seen {
				d.names = append(d.names, o.Name)
			}
			d.vals[o.Name] = v
			return nil
		}
		if len(o.Values) == 2 && o.Values[0] == "false" {
			fs.BoolFunc(o.Name, usage, set)
		} else {
			fs.Func(o.Name, usage, set)
		}
	}
	return d
}

// resolve builds the dialect: the -dialect preset, else the world's, else the default; then
// the options given one by one.
func (d *dialectFlags) resolve(world *chatsim.World) (chatsim.Dialect, error) {
	base := chatsim.DialectDefault()
	switch {
	case d.spec != "":
		p, err := chatsim.ParseDialect(d.spec)
		if err != nil {
			return chatsim.Dialect{}, fmt.Errorf("-dialect: %w", err)
		}
		base = p
	case world != nil && world.Dialect != (chatsim.Dialect{}):
		base = world.Dialect
	}
	for _, name := range d.names {
		if err := base.Set(name, d.vals[name]); err != nil {
			return chatsim.Dialect{}, fmt.Errorf("-%s: %w", name, err)
		}
	}
	return base, nil
}

// usage is chatsim -h: the synopsis, every flag, and what each preset reads.
func usage(fs *flag.FlagSet, w io.Writer) func() {
	return func() {
		fmt.Fprintln(w, "usage: chatsim -listen HOST:PORT -sdkappid N [-world FILE] [fault flags] [-dialect NAME] [dialect option flags]")
		fmt.Fprintln(w, "The secret key comes from CHATSIM_KEY (or -key). Flags:")
		fs.PrintDefaults()
		fmt.Fprintln(w, "\nDialect presets (-dialect NAME; option flags apply on top):")
		presets := chatsim.Dialects()
		for _, name := range chatsim.DialectNames() {
			fmt.Fprintf(w, "  %-10s %s\n", name, presets[name])
		}
	}
}
