// Package a2awire reads A2A traffic off the wire without caring which protocol
// version or binding produced it: it tells the method, version, binding and IDs
// of a request, and the kind, IDs and state of an event, from raw bytes.
//
// It is a leaf package shared by the proxy, the recorder and replay. It never
// fails on odd input: unknown shapes yield empty fields, because the proxy must
// pass and record whatever an agent sends.
package a2awire
