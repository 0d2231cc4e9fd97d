// Package checks runs the conformance checks (package conformance) on
// recorded exchanges and stores what they find with the recording.
//
// A Checker sits off the hot path: the recorder's writer tells it which
// exchanges ended (recorder.Options.OnExchangesEnded), and its one worker
// reads each back whole, checks it and queues the findings to the recorder,
// which writes them in its next batch. Its queue is bounded; an exchange
// that finds it full is counted as skipped, never waited for. The
// a2a-proxy check command runs the same Run on old recordings.
package checks
