package xk6

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"time"

	"github.com/grafana/sobek"
	"go.k6.io/k6/js/common"

	"github.com/socketcluster-go/scclient"
)

var errInitContext = errors.New("socketcluster: connect can only be called inside a VU iteration, not in the init context")

// connectOptions are the parsed arguments of connect.
type connectOptions struct {
	sc        scclient.Options
	authToken string
	tags      map[string]string
}

// parseConnectOptions turns connect's URL and options object into socket
// options. Durations are milliseconds, as in the JavaScript client.
func parseConnectOptions(rt *sobek.Runtime, urlArg, optsArg sobek.Value) (*connectOptions, error) {
	if common.IsNullish(urlArg) {
		return nil, errors.New("socketcluster: connect needs a ws:// or wss:// URL")
	}
	raw := urlArg.String()
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("socketcluster: invalid URL %q: %w", raw, err)
	}
	if u.Scheme != "ws" && u.Scheme != "wss" {
		return nil, fmt.Errorf("socketcluster: URL %q must use ws or wss", raw)
	}
	co := &connectOptions{sc: scclient.Options{URL: raw, DisableAutoConnect: true}}
	if common.IsNullish(optsArg) {
		return co, nil
	}
	obj := optsArg.ToObject(rt)
	for _, key := range obj.Keys() {
		if err := co.set(rt, key, obj.Get(key)); err != nil {
			return nil, fmt.Errorf("socketcluster: option %s: %w", key, err)
		}
	}
	return co, nil
}

// set applies one option.
func (co *connectOptions) set(rt *sobek.Runtime, key string, v sobek.Value) error {
	if common.IsNullish(v) {
		return nil
	}
	switch key {
	case "ackTimeout":
		return millis(v, &co.sc.AckTimeout)
	case "connectTimeout":
		return millis(v, &co.sc.ConnectTimeout)
	case "autoReconnect":
		co.sc.DisableAutoReconnect = !v.ToBoolean()
	case "autoReconnectOptions":
		return co.setReconnect(rt, v)
	case "pingTimeoutDisabled":
		co.sc.PingTimeoutDisabled = v.ToBoolean()
	case "protocolVersion":
		co.sc.ProtocolVersion = int(v.ToInteger())
	case "channelPrefix":
		co.sc.ChannelPrefix = v.String()
	case "authTokenName":
		co.sc.AuthTokenName = v.String()
	case "authToken":
		co.authToken = v.String()
	case "query":
		m, err := stringMap(v)
		if err != nil {
			return err
		}
		co.sc.Query = url.Values{}
		for k, val := range m {
			co.sc.Query.Set(k, val)
		}
	case "headers":
		m, err := stringMap(v)
		if err != nil {
			return err
		}
		co.sc.Header = http.Header{}
		for k, val := range m {
			co.sc.Header.Set(k, val)
		}
	case "tags":
		m, err := stringMap(v)
		if err != nil {
			return err
		}
		co.tags = m
	default:
		return fmt.Errorf("unknown option (known: %s)", knownOptions())
	}
	return nil
}

// setReconnect reads autoReconnectOptions.
func (co *connectOptions) setReconnect(rt *sobek.Runtime, v sobek.Value) error {
	obj := v.ToObject(rt)
	r := &co.sc.AutoReconnectOptions
	for _, key := range obj.Keys() {
		val := obj.Get(key)
		var err error
		switch key {
		case "initialDelay":
			err = millis(val, &r.InitialDelay)
		case "randomness":
			err = millis(val, &r.Randomness)
		case "maxDelay":
			err = millis(val, &r.MaxDelay)
		case "multiplier":
			r.Multiplier = val.ToFloat()
		default:
			err = fmt.Errorf("unknown field %q (known: initialDelay, randomness, multiplier, maxDelay)", key)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func knownOptions() string {
	names := []string{"ackTimeout", "connectTimeout", "autoReconnect", "autoReconnectOptions",
		"pingTimeoutDisabled", "protocolVersion", "channelPrefix", "authTokenName", "authToken",
		"query", "headers", "tags"}
	sort.Strings(names)
	out := ""
	for i, n := range names {
		if i > 0 {
			out += ", "
		}
		out += n
	}
	return out
}

// millis reads a non-negative number of milliseconds.
func millis(v sobek.Value, dst *time.Duration) error {
	f := v.ToFloat()
	if f != f || f < 0 {
		return fmt.Errorf("want a non-negative number of milliseconds, got %s", v.String())
	}
	*dst = time.Duration(f * float64(time.Millisecond))
	return nil
}

// stringMap reads a plain object whose values are turned into strings.
func stringMap(v sobek.Value) (map[string]string, error) {
	obj, ok := v.(*sobek.Object)
	if !ok {
		return nil, fmt.Errorf("want an object, got %s", v.String())
	}
	m := make(map[string]string)
	for _, k := range obj.Keys() {
		m[k] = obj.Get(k).String()
	}
	return m, nil
}
