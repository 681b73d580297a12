package api

import (
	"net/http/pprof"

	"github.com/vigilsiem/vigil/internal/auth"
)

// PprofHandler mounts Go's profiler under /debug/pprof/. It is off unless
// `vigil serve --pprof` asks for it: profiles reveal internals, so expose
// them only on a listener you trust. Admins only; not in the OpenAPI
// document (it is Go's, not Vigil's API).
type PprofHandler struct{}

// Routes implements Mounter.
func (PprofHandler) Routes() []Route {
	const why = "Go's profiler, not Vigil's API (vigil serve --pprof)"
	return []Route{
		{Method: "GET", Path: "/debug/pprof/", Role: auth.Admin, Undocumented: why, Handler: pprof.Index},
		{Method: "GET", Path: "/debug/pprof/cmdline", Role: auth.Admin, Undocumented: why, Handler: pprof.Cmdline},
		{Method: "GET", Path: "/debug/pprof/profile", Role: auth.Admin, Undocumented: why, Handler: pprof.Profile},
		{Method: "GET", Path: "/debug/pprof/symbol", Role: auth.Admin, Undocumented: why, Handler: pprof.Symbol},
		{Method: "GET", Path: "/debug/pprof/trace", Role: auth.Admin, Undocumented: why, Handler: pprof.Trace},
	}
}
