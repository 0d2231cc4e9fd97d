package ssebench

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// RowCounter counts the events a proxy process's store holds.
type RowCounter func(context.Context) (int64, error)

// ProcessTarget is a proxy in a process of its own, as users run it: the
// load client and the upstream stay in this process, and the run's CPU time
// is the proxy process's. rows, if not nil, counts what it recorded: a run
// ends once every event sent is in the store (or the count stops moving).
func ProcessTarget(name string, p *Process, rows RowCounter) *Target {
	return &Target{Name: name, URL: p.URL, proc: p, rows: rows}
}

// recordStall is how long the count of recorded events may stand still,
// short of what was sent, before a run takes the rest for lost.
const recordStall = 2 * time.Second

// waitRecorded polls the store until it holds want events, or its count
// has not moved for recordStall, and returns the count.
func (t *Target) waitRecorded(ctx context.Context, want int64) (int64, error) {
	last, since := int64(-1), time.Now()
	for {
		n, err := t.rows(ctx)
		if err != nil {
			return n, err
		}
		switch {
		case n >= want:
			return n, nil
		case n != last:
			last, since = n, time.Now()
		case time.Since(since) > recordStall:
			return n, nil
		}
		select {
		case <-ctx.Done():
			return n, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// cpu is the CPU time of the process the proxy runs in so far: its own,
// or this one's for a target in this process.
func (t *Target) cpu() time.Duration {
	if t.proc == nil {
		return processCPU()
	}
	d, err := t.proc.CPU()
	if err != nil {
		return 0
	}
	return d
}

// closeProcess stops a process target and counts what its store kept.
func (t *Target) closeProcess() (Recording, error) {
	rec := Recording{Sent: t.sent}
	err := t.proc.Close()
	if t.rows == nil {
		return rec, err
	}
	n, countErr := t.rows(context.Background())
	if countErr != nil {
		return rec, errors.Join(err, fmt.Errorf("%s: count recorded events: %w", t.Name, countErr))
	}
	rec.Rows, rec.Written = n, uint64(n)
	if lost := int64(t.sent) - n; lost > 0 {
		rec.Dropped = uint64(lost)
	}
	return rec, err
}
