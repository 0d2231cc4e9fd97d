// Package builtinagent is the A2A tutorial's "basic streaming agent", built on
// a2a-go (A2A v0.3, JSON-RPC). It answers every message with a submitted task,
// four progress updates a step delay apart, a processing_result artifact and a
// completed status, so the proxy always has a real streaming peer to show.
package builtinagent
