// Package conformance checks recorded A2A traffic against the protocol, for
// v0.3 and v1.0, JSON-RPC and REST: stream order, task and context ids,
// the JSON-RPC frame and error codes, the wire spelling of each version,
// artifact chunks and agent cards.
//
// Checks are passive (they read what was recorded, never talk to an agent),
// cheap and safe on hostile input: every loop and walk is bounded, and no
// input makes them panic. Each finding names a rule of the catalogue
// (Rules), whose id is stable: store it, count it, filter on it.
//
// The package has its own input types (Exchange, Event) so that it depends on
// no storage; all A2A JSON is read through internal/a2awire.
package conformance
