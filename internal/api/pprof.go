package api

import (
	"net/http"
	"net/http/pprof"
)

// PprofHandler mounts Go's profiler under /debug/pprof/. It is off unless
// `vigil serve --pprof` asks for it: profiles reveal internals, so expose
// them only on a listener you trust.
type PprofHandler struct{}

// Register implements Mounter.
func (PprofHandler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}
