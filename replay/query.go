package replay

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
)

// DefaultSpeed is the speed of a replay whose URL names none: the recorded pace.
const DefaultSpeed = 1

// ParseQuery reads replay options from a URL query, as the admin API and the
// replay agents take them: speed (default 1; 0 is as fast as possible), from
// and to (sequence numbers, both included), and cut or stall (the sequence
// number the stream breaks before).
func ParseQuery(q url.Values) (Options, error) {
	opts := Options{Speed: DefaultSpeed}
	if v := q.Get("speed"); v != "" {
		speed, err := strconv.ParseFloat(v, 64)
		if err != nil || speed < 0 {
			return Options{}, fmt.Errorf("speed %q: want a number >= 0 (1 is the recorded pace, 0 no waiting)", v)
		}
		opts.Speed = speed
	}
	var err error
	if opts.From, err = seqParam(q, "from", 0); err != nil {
		return Options{}, err
	}
	to, err := seqParam(q, "to", -1)
	if err != nil {
		return Options{}, err
	}
	if to >= 0 {
		if to < opts.From {
			return Options{}, fmt.Errorf("to %d is before from %d", to, opts.From)
		}
		opts.Until = to + 1
	}
	cut, err := seqParam(q, "cut", -1)
	if err != nil {
		return Options{}, err
	}
	stall, err := seqParam(q, "stall", -1)
	if err != nil {
		return Options{}, err
	}
	switch {
	case cut >= 0 && stall >= 0:
		return Options{}, errors.New("cut and stall: pick one")
	case cut >= 0:
		opts.Fault = Fault{Kind: Cut, Before: cut}
	case stall >= 0:
		opts.Fault = Fault{Kind: Stall, Before: stall}
	}
	return opts, nil
}

// seqParam reads a sequence number, or returns absent when there is none.
func seqParam(q url.Values, name string, absent int) (int, error) {
	v := q.Get(name)
	if v == "" {
		return absent, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%s %q: want a sequence number >= 0", name, v)
	}
	return n, nil
}
