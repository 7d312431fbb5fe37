package xk6

import (
	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"
	"go.k6.io/k6/js/modules"
)

// ImportPath is the name scripts import the extension by.
const ImportPath = "k6/x/socketcluster"

func init() {
	modules.Register(ImportPath, New())
}

// RootModule is the global part of the extension; k6 asks it for one
// ModuleInstance per VU.
type RootModule struct{}

// ModuleInstance is the extension as one VU sees it.
type ModuleInstance struct {
	vu      modules.VU
	metrics *scMetrics
}

var (
	_ modules.Module   = &RootModule{}
	_ modules.Instance = &ModuleInstance{}
)

// New returns the root module of the extension.
func New() *RootModule { return &RootModule{} }

// NewModuleInstance registers the extension's metrics (once per test, the
// registry returns the existing ones afterwards) and returns the VU's instance.
func (*RootModule) NewModuleInstance(vu modules.VU) modules.Instance {
	m, err := registerMetrics(vu.InitEnv().Registry)
	if err != nil {
		common.Throw(vu.Runtime(), err)
	}
	return &ModuleInstance{vu: vu, metrics: m}
}

// Exports gives scripts the default export, an object with connect.
func (mi *ModuleInstance) Exports() modules.Exports {
	return modules.Exports{Default: map[string]any{
		"connect": mi.connect,
	}}
}

// connect creates a socket from a URL and an options object and starts
// connecting it. It may only be called while an iteration runs.
func (mi *ModuleInstance) connect(call sobek.FunctionCall) sobek.Value {
	rt := mi.vu.Runtime()
	if mi.vu.State() == nil {
		common.Throw(rt, errInitContext)
	}
	opts, err := parseConnectOptions(rt, call.Argument(0), call.Argument(1))
	if err != nil {
		common.Throw(rt, err)
	}
	w, err := newSocketWrapper(mi.vu, mi.metrics, opts)
	if err != nil {
		common.Throw(rt, err)
	}
	return w.obj
}
