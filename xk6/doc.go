// Package xk6 is a k6 extension, registered as k6/x/socketcluster, that drives
// SocketCluster servers from k6 scripts through the scclient package.
package xk6
