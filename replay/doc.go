// Package replay re-streams recordings with their timing, and serves them as
// A2A agents.
//
// The engine (Schedule) sends each event's recorded bytes at its recorded
// offset divided by a speed, every one due against the same start so that no
// drift builds up, and can break a stream on purpose (Cut, Stall) to test how
// clients cope. TaskTimeline and ExchangeTimeline turn a recorder.Recording
// into events for it.
//
// Agent answers A2A JSON-RPC requests from recordings: a test records a slow,
// costly agent once, then runs against the replay at full speed. With one
// recording it replays that task whatever the client says; in strict mode
// (fixtures) it matches each message to a recording by method and text.
// With RecordMissing, a request no recording matches is forwarded to the live
// agent through the proxy's data plane, and its recording appended to a
// fixture file, so the fixtures grow as the tests do. Package replaytest
// serves fixtures to Go tests.
package replay
