package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/a2aproxy/a2a-proxy/diff"
	"github.com/a2aproxy/a2a-proxy/internal/diffrec"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// errNoDiff is the answer of the diff routes when there are no recordings
// to read (Options.Recordings is nil).
var errNoDiff = fmt.Errorf("diffs are not served here: %w", recorder.ErrNotFound)

// diffQuery is what GET /api/diff and the diff page are asked: two task ids
// and the options, as the query spells them.
type diffQuery struct {
	A, B   string
	Opts   diff.Options
	Strict bool
	// Ignore and Timing as given, for the page's form.
	Ignore string
	Timing string
}

// parseDiffQuery reads a=, b=, strict= (a boolean), ignore= (repeatable;
// one path per line also works, for the page's text area) and timing= (a
// factor, at least 1). The error wraps ErrBadRequest.
func parseDiffQuery(q url.Values) (diffQuery, error) {
	dq := diffQuery{A: strings.TrimSpace(q.Get("a")), B: strings.TrimSpace(q.Get("b")), Timing: strings.TrimSpace(q.Get("timing"))}
	for _, v := range q["ignore"] {
		for _, line := range strings.Split(v, "\n") {
			if line = strings.TrimSpace(line); line != "" {
				dq.Opts.Ignore = append(dq.Opts.Ignore, line)
			}
		}
	}
	dq.Ignore = strings.Join(dq.Opts.Ignore, "\n")
	var errs []error
	if s := q.Get("strict"); s != "" {
		strict, err := strconv.ParseBool(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("strict must be true or false, got %q", s))
		}
		dq.Opts.Strict, dq.Strict = strict, strict
	}
	if dq.Timing != "" {
		timing, err := strconv.ParseFloat(dq.Timing, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("timing must be a number, got %q", dq.Timing))
		}
		dq.Opts.Timing = timing
	}
	errs = append(errs, dq.Opts.Validate())
	if err := errors.Join(errs...); err != nil {
		return dq, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	return dq, nil
}

// compare reads both tasks' recordings and compares them.
func (s *Server) compare(ctx context.Context, dq diffQuery) (diff.Result, diff.Recording, diff.Recording, error) {
	if s.recordings == nil {
		return diff.Result{}, diff.Recording{}, diff.Recording{}, errNoDiff
	}
	if dq.A == "" || dq.B == "" {
		return diff.Result{}, diff.Recording{}, diff.Recording{}, fmt.Errorf("%w: want two task ids, a= and b=", ErrBadRequest)
	}
	var recs [2]diff.Recording
	for i, id := range []string{dq.A, dq.B} {
		rec, err := s.recordings.Recording(ctx, id)
		if err != nil {
			return diff.Result{}, diff.Recording{}, diff.Recording{}, fmt.Errorf("task %s: %w", id, err)
		}
		recs[i] = diffrec.Recording(id, rec)
	}
	return diff.Compare(recs[0], recs[1], dq.Opts), recs[0], recs[1], nil
}

// getDiff serves GET /api/diff?a=TASK&b=TASK&strict=&ignore=&timing=: the
// diff.Result of the two tasks' recordings (a2a-proxy diff --json).
func (s *Server) getDiff(c *gin.Context) {
	dq, err := parseDiffQuery(c.Request.URL.Query())
	if err != nil {
		_ = c.Error(err)
		return
	}
	res, _, _, err := s.compare(c.Request.Context(), dq)
	if err != nil {
		_ = c.Error(err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// routeDiff adds GET /api/diff when there are recordings to read; the page
// is added with the others (routeUI).
func (s *Server) routeDiff() {
	if s.recordings != nil {
		s.api.GET("/diff", s.getDiff)
	}
}
