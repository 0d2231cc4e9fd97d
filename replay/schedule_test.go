package replay_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/a2aproxy/a2a-proxy/replay"
)

// gapped is a session recorded with known gaps between its events.
var gapped = []replay.Event{
	{Seq: 0, Offset: 20 * time.Millisecond, Raw: []byte("data: 0\n\n")},
	{Seq: 1, Offset: 50 * time.Millisecond, Raw: []byte("data: 1\n\n")},
	{Seq: 2, Offset: 150 * time.Millisecond, Raw: []byte("data: 2\n\n")},
	{Seq: 3, Offset: 160 * time.Millisecond, Raw: []byte("data: 3\n\n")},
	{Seq: 4, Offset: 400 * time.Millisecond, Raw: []byte("data: 4\n\n")},
}

func dues(s *replay.Schedule) []time.Duration {
	var d []time.Duration
	for _, step := range s.Steps {
		d = append(d, step.Due)
	}
	return d
}

func seqs(s *replay.Schedule) []int {
	var n []int
	for _, step := range s.Steps {
		n = append(n, step.Seq)
	}
	return n
}

func TestScheduleDividesOffsetsBySpeed(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		opts replay.Options
		seqs []int
		dues []time.Duration
	}{
		{"recorded pace", replay.Options{Speed: 1}, []int{0, 1, 2, 3, 4}, []time.Duration{20 * ms, 50 * ms, 150 * ms, 160 * ms, 400 * ms}},
		{"ten times faster", replay.Options{Speed: 10}, []int{0, 1, 2, 3, 4}, []time.Duration{2 * ms, 5 * ms, 15 * ms, 16 * ms, 40 * ms}},
		{"half speed", replay.Options{Speed: 0.5}, []int{0, 1, 2, 3, 4}, []time.Duration{40 * ms, 100 * ms, 300 * ms, 320 * ms, 800 * ms}},
		{"no waiting", replay.Options{Speed: 0}, []int{0, 1, 2, 3, 4}, []time.Duration{0, 0, 0, 0, 0}},
		// Resumed after event 1: due from when event 1 was sent.
		{"from", replay.Options{Speed: 1, From: 2}, []int{2, 3, 4}, []time.Duration{100 * ms, 110 * ms, 350 * ms}},
		{"from and until", replay.Options{Speed: 2, From: 1, Until: 3}, []int{1, 2}, []time.Duration{15 * ms, 65 * ms}},
		{"past the end", replay.Options{Speed: 1, From: 9}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := replay.NewSchedule(gapped, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(seqs(s), tc.seqs) || !slices.Equal(dues(s), tc.dues) {
				t.Errorf("steps %v due %v, want %v due %v", seqs(s), dues(s), tc.seqs, tc.dues)
			}
		})
	}
}

func TestScheduleRejectsBadSpeeds(t *testing.T) {
	for _, speed := range []float64{-1, math.Inf(1), math.NaN()} {
		if _, err := replay.NewSchedule(gapped, replay.Options{Speed: speed}); err == nil {
			t.Errorf("speed %v accepted", speed)
		}
	}
}

// sent records what Play sends, and when, against when it was due.
type sent struct {
	seqs     []int
	lateness []time.Duration
}

func (s *sent) send(step replay.Step, due time.Time) error {
	s.lateness = append(s.lateness, time.Since(due))
	s.seqs = append(s.seqs, step.Seq)
	return nil
}

// The wall clock agrees with the schedule: no event early, none more than a
// generous bound late (the tight figures are BenchmarkReplayTiming's), and
// the replay as long as the recording divided by the speed.
func TestPlayKeepsTheRecordedPace(t *testing.T) {
	const bound = 200 * time.Millisecond
	for _, speed := range []float64{1, 10} {
		s, err := replay.NewSchedule(gapped, replay.Options{Speed: speed})
		if err != nil {
			t.Fatal(err)
		}
		var got sent
		start := time.Now()
		if err := s.Play(context.Background(), got.send); err != nil {
			t.Fatal(err)
		}
		took := time.Since(start)
		for i, late := range got.lateness {
			if late < 0 || late > bound {
				t.Errorf("speed %v: event %d sent %v after it was due", speed, i, late)
			}
		}
		want := s.Steps[len(s.Steps)-1].Due
		if took < want || took > want+bound {
			t.Errorf("speed %v: replay took %v, want %v", speed, took, want)
		}
	}
}

func TestPlayCutsBeforeTheEvent(t *testing.T) {
	for _, tc := range []struct {
		before int
		seqs   []int
	}{
		{0, nil},
		{3, []int{0, 1, 2}},
		{99, []int{0, 1, 2, 3, 4}}, // past the end: after every event
	} {
		s, err := replay.NewSchedule(gapped, replay.Options{Fault: replay.Fault{Kind: replay.Cut, Before: tc.before}})
		if err != nil {
			t.Fatal(err)
		}
		var got sent
		if err := s.Play(context.Background(), got.send); !errors.Is(err, replay.ErrCut) {
			t.Errorf("cut before %d: err = %v, want ErrCut", tc.before, err)
		}
		if !slices.Equal(got.seqs, tc.seqs) {
			t.Errorf("cut before %d: sent %v, want %v", tc.before, got.seqs, tc.seqs)
		}
	}
}

// A stall keeps the replay open until the client gives up: without it, the
// replay at speed 0 would be over long before the deadline.
func TestPlayStallsBeforeTheEvent(t *testing.T) {
	s, err := replay.NewSchedule(gapped, replay.Options{Fault: replay.Fault{Kind: replay.Stall, Before: 2}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	var got sent
	if err := s.Play(ctx, got.send); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's", err)
	}
	if !slices.Equal(got.seqs, []int{0, 1}) {
		t.Errorf("sent %v, want [0 1]", got.seqs)
	}
}

func TestPlayStopsWhenTheClientLeaves(t *testing.T) {
	s, err := replay.NewSchedule(gapped, replay.Options{Speed: 0.001}) // event 0 due in 20s
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var got sent
	if err := s.Play(ctx, got.send); !errors.Is(err, context.Canceled) || len(got.seqs) != 0 {
		t.Errorf("err = %v after %v sent, want context.Canceled and nothing", err, got.seqs)
	}
}

func TestPlayStopsAtSendError(t *testing.T) {
	s, err := replay.NewSchedule(gapped, replay.Options{})
	if err != nil {
		t.Fatal(err)
	}
	gone := errors.New("client gone")
	n := 0
	err = s.Play(context.Background(), func(replay.Step, time.Time) error {
		n++
		return gone
	})
	if !errors.Is(err, gone) || n != 1 {
		t.Errorf("err = %v after %d sends, want the send error after 1", err, n)
	}
}
