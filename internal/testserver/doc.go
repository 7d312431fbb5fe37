// Package testserver starts the real socketcluster-server kept in the
// module's testdata/server folder, for tests and benchmarks in other packages.
//
// A test starts one server per call to Start; it listens on a free loopback
// port, its output is captured, and it is stopped when the test ends:
//
//	srv := testserver.Start(t, testserver.Options{Env: map[string]string{"SC_PING_INTERVAL": "200"}})
//	sock := dial(srv.URL()) // ws://127.0.0.1:PORT/socketcluster/
//
// The server needs Node.js and the folder's npm packages: run
// `npm ci --prefix testdata/server` from the module root (or `make test`).
// Start fails the test, rather than skipping it, when either is missing.
//
// Start and Restart may call FailNow, so they must be called from the
// goroutine running the test; every other method is safe from any goroutine.
package testserver
