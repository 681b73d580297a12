package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=…"; otherwise
// it comes from the module build information.
var version = ""

func versionString() string {
	v := version
	if v == "" {
		v = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	return v
}

func init() {
	c := &command{name: "version", summary: "print the version of Vigil", usage: ""}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		if err := fs.Parse(args); err != nil {
			return err
		}
		fmt.Printf("vigil %s (%s, %s/%s)\n", versionString(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
	register(c)
}
