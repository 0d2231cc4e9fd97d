package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"time"

	"github.com/a2aproxy/a2a-proxy/internal/console"
	"github.com/a2aproxy/a2a-proxy/internal/forwarded"
	"github.com/a2aproxy/a2a-proxy/internal/streamclient"
	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/replay"
)

const replayUsage = `Usage: a2a-proxy replay [flags] TASK_ID
       a2a-proxy replay serve [flags] TASK_ID
       a2a-proxy replay serve [flags] --from FILE [FILE...]

The first form prints the recorded events of a task at their recorded pace
(divided by --speed), as send prints a live stream. The others serve
recordings as an A2A agent (JSON-RPC) on --listen: one task from the
database, whatever the client says, or the recordings of export files, each
request matched to one by method and user text (run "a2a-proxy replay serve
--help"). Clients choose the pace with ?speed= on the agent's URL.`

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "serve" {
		return runReplayServe(ctx, args[1:], stderr)
	}
	fs := newFlagSet("replay", replayUsage, stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to read")
	speed := fs.Float64("speed", replay.DefaultSpeed, "divides the recorded pauses: 10 is ten times faster, 0 no pauses")
	from := fs.Int("from", 0, "first event to print (its position in the task's timeline, as show lists them)")
	to := fs.Int("to", -1, "last event to print (default: the last)")
	asJSON := fs.Bool("json", false, "print each event's JSON document on one line instead")
	operands, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(operands) != 1 {
		return usageErrorf("want one TASK_ID, got %d arguments", len(operands))
	}
	opts := replay.Options{Speed: *speed, From: *from}
	if *to >= 0 {
		opts.Until = *to + 1
	}
	store, err := openRecording(ctx, *db)
	if err != nil {
		return err
	}
	defer store.Close()
	rec, err := store.Recording(ctx, operands[0])
	if errors.Is(err, recorder.ErrNotFound) {
		return fmt.Errorf("no task %q in %s (a2a-proxy tasks lists them)", operands[0], *db)
	}
	if err != nil {
		return err
	}
	schedule, err := replay.NewSchedule(replay.TaskTimeline(rec), opts)
	if err != nil {
		return usageErrorf("--speed: %v", err)
	}
	format := console.Pretty
	if *asJSON {
		format = console.JSON
	}
	printer := console.NewEventPrinter(stdout, format)
	docs := rec.EventDocs()
	err = schedule.Play(ctx, func(step replay.Step, _ time.Time) error {
		return printer.Print(streamclient.DecodeEvent(string(docs[step.Seq].Data)))
	})
	if err != nil {
		return err
	}
	return printer.End()
}

const replayServeUsage = `Usage: a2a-proxy replay serve [flags] TASK_ID
       a2a-proxy replay serve [flags] --from FILE [FILE...] [--record-missing URL [--record-to FILE]]

Serves recordings as an A2A agent of their protocol version (JSON-RPC) at the
root of --listen: its card at /.well-known/agent-card.json, message/stream
answered with the recorded stream under the new request's id, message/send
with the recorded or final result, tasks/get with the final task, resubscribe
with what the last stream did not send.

With TASK_ID, the task from --db answers every message. With --from, the
recordings of export files are fixtures: each message is answered by the
recording of the same method whose user message has the same text parts, and
another text gets a JSON-RPC error quoting it. With --record-missing, such a
request is forwarded to the live agent at URL instead, answered live, and its
recording appended to the first --from file (or --record-to FILE, created if
missing), so the next run, and the same request in this run, replays it.

On the agent's URL: ?speed=N divides the recorded pauses (default 1; 0: none),
?cut=N cuts the connection before event N, ?stall=N stops sending before it.`

func runReplayServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("replay serve", replayServeUsage, stderr)
	cfg := replayServeConfig{}
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:8090", "address to serve the replay agent on")
	fs.StringVar(&cfg.DB, "db", "a2a-proxy.db", "recording database to read TASK_ID from")
	files := &stringList{}
	fs.Var(files, "from", "export file to serve as fixtures (repeatable; files after the flags count too)")
	fs.StringVar(&cfg.RecordMissing, "record-missing", "", "forward requests no fixture matches to the live agent at this `URL`, and append their recordings")
	fs.StringVar(&cfg.RecordTo, "record-to", "", "with --record-missing, the `FILE` to append to (default: the first --from file); read as a fixture too, created if missing")
	fs.StringVar(&cfg.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.Var(optionalValue{&cfg.TrustForwarded}, "trust-forwarded", "with `[=NETWORKS]`, believe X-Forwarded-Proto and X-Forwarded-Host (for the card's URL) from peers in\nthose networks; bare or =all: from every peer (default: they are ignored)")
	operands, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	if len(files.values) > 0 || cfg.RecordTo != "" {
		cfg.Fixtures = append(files.values, operands...)
	} else if len(operands) == 1 && cfg.RecordMissing == "" {
		cfg.TaskID = operands[0]
	} else {
		return usageErrorf("want one TASK_ID, or --from FILE...")
	}
	if cfg.RecordTo != "" && cfg.RecordMissing == "" {
		return usageErrorf("--record-to needs --record-missing")
	}
	srv := &replayServer{Config: cfg, Stderr: stderr}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return srv.Shutdown()
}

// replayServeConfig is what `a2a-proxy replay serve` is told.
type replayServeConfig struct {
	Listen   string
	DB       string
	TaskID   string   // serve this task from DB...
	Fixtures []string // ...or these export files
	// RecordMissing is the live agent's URL for the requests no fixture
	// matches; their recordings go to RecordTo, else the first fixture.
	RecordMissing string
	RecordTo      string
	LogLevel      string
	// TrustForwarded is whose X-Forwarded-* headers name the card's URL, as
	// serve's --trust-forwarded.
	TrustForwarded string
}

// replayServer is a running `a2a-proxy replay serve`. Tests start it on ":0".
type replayServer struct {
	Config replayServeConfig
	Stderr io.Writer

	log    *slog.Logger
	plane  *server
	cancel context.CancelFunc // ends the streams still open at shutdown
}

// Start reads the recordings and serves them in the background; it returns
// once the listener is bound.
func (s *replayServer) Start(ctx context.Context) (err error) {
	if s.log, err = newLogger(s.Stderr, s.Config.LogLevel); err != nil {
		return err
	}
	trust, err := forwarded.ParseTrust(s.Config.TrustForwarded)
	if err != nil {
		return fmt.Errorf("--trust-forwarded: %w", err)
	}
	recs, strict, err := s.recordings(ctx)
	if err != nil {
		return err
	}
	agent, err := replay.NewAgent(replay.AgentOptions{
		Recordings:     recs,
		Strict:         strict,
		Logger:         s.log.With("component", "replay"),
		TrustForwarded: trust,
		RecordMissing:  s.recordMissing(),
	})
	if err != nil {
		return fmt.Errorf("replay: %w", err)
	}
	if s.plane, err = listen("replay agent", s.Config.Listen); err != nil {
		return err
	}
	streams, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	s.plane.srv.Handler = agent
	s.plane.srv.BaseContext = func(net.Listener) context.Context { return streams }
	go s.plane.serve(s.log)
	s.log.Info("replay agent serving", "url", s.URL()+"/", "recordings", len(recs), "fixtures", strict)
	return nil
}

// recordMissing is where requests no fixture matches go, if anywhere.
func (s *replayServer) recordMissing() *replay.RecordMissing {
	if s.Config.RecordMissing == "" {
		return nil
	}
	file := s.Config.RecordTo
	if file == "" {
		file = s.Config.Fixtures[0] // the flags require one or the other
	}
	return &replay.RecordMissing{URL: s.Config.RecordMissing, File: file}
}

// recordings reads what to serve: fixtures (matched strictly) or one task.
// The file recordings are appended to is read too, unless it is yet to be
// made.
func (s *replayServer) recordings(ctx context.Context) ([]*recorder.Recording, bool, error) {
	if live := s.recordMissing(); live != nil {
		files := slices.Clone(s.Config.Fixtures)
		if !slices.Contains(files, live.File) {
			files = append(files, live.File)
		}
		if _, err := os.Stat(live.File); errors.Is(err, os.ErrNotExist) {
			files = slices.DeleteFunc(files, func(f string) bool { return f == live.File })
		}
		recs, err := replay.ReadFixtures(files...)
		return recs, true, err
	}
	if len(s.Config.Fixtures) > 0 {
		recs, err := replay.ReadFixtures(s.Config.Fixtures...)
		return recs, true, err
	}
	store, err := openRecording(ctx, s.Config.DB)
	if err != nil {
		return nil, false, err
	}
	defer store.Close()
	rec, err := store.Recording(ctx, s.Config.TaskID)
	if errors.Is(err, recorder.ErrNotFound) {
		return nil, false, fmt.Errorf("no task %q in %s (a2a-proxy tasks lists them)", s.Config.TaskID, s.Config.DB)
	}
	return []*recorder.Recording{rec}, false, err
}

// URL is the replay agent's base URL, as bound.
func (s *replayServer) URL() string { return "http://" + s.plane.addr() }

// Shutdown ends the open streams (a stalled one never ends by itself) and
// stops the server once their handlers have returned.
func (s *replayServer) Shutdown() error {
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.plane.srv.Shutdown(ctx); err != nil {
		return s.plane.srv.Close()
	}
	return nil
}
