package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/a2aproxy/a2a-proxy/checks"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

const checkUsage = `Usage: a2a-proxy check [flags] [TASK_ID... | --all]

Runs the conformance checks again on recorded tasks (recordings made before
the checks existed too) and prints what breaks the A2A protocol: each
finding's rule, severity, event, message and spec section. The proxy runs
the same checks on every exchange as it ends; this reads the recording, it
stores nothing.

Exit status: 0 no error found (warnings may be), 1 an error found, 2 bad
usage or a task that is not recorded.

Examples:
  a2a-proxy check TASK_ID
  a2a-proxy check --all --format junit > conformance.xml
  a2a-proxy check --agent myagent --format json`

// checkReport is what check prints: per task, per exchange.
type checkReport struct {
	Checks recorder.CheckCounts `json:"checks"`
	Tasks  []taskCheckReport    `json:"tasks"`
}

type taskCheckReport struct {
	TaskID    string                `json:"taskId"`
	Agent     string                `json:"agent"`
	Checks    recorder.CheckCounts  `json:"checks"`
	Exchanges []exchangeCheckReport `json:"exchanges"`
}

type exchangeCheckReport struct {
	ExchangeID string             `json:"exchangeId"`
	Method     string             `json:"method"`
	Version    string             `json:"protocolVersion"`
	Outcome    string             `json:"outcome"`
	Findings   []checks.Described `json:"findings"`
}

func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", checkUsage, stderr)
	db := fs.String("db", "a2a-proxy.db", "recording database to read")
	all := fs.Bool("all", false, "check every recorded task")
	agent := fs.String("agent", "", "only tasks of this agent (all of them when no TASK_ID is given)")
	format := fs.String("format", "text", "text, json, or junit (JUnit XML, one testcase per exchange, for CI)")
	taskIDs, err := parseOperands(fs, args)
	if err != nil {
		return flagError(err)
	}
	switch {
	case *format != "text" && *format != "json" && *format != "junit":
		return usageErrorf("--format %q: want text, json or junit", *format)
	case *all && len(taskIDs) > 0:
		return usageErrorf("give TASK_IDs or --all, not both")
	case !*all && *agent == "" && len(taskIDs) == 0:
		return usageErrorf("want TASK_IDs, --all or --agent")
	}
	store, err := openRecording(ctx, *db)
	if err != nil {
		return exitError{code: 2, err: err}
	}
	defer store.Close()
	if len(taskIDs) == 0 {
		if taskIDs, err = listTaskIDs(ctx, store, *agent); err != nil {
			return exitError{code: 2, err: err}
		}
	}
	report, err := checkTasks(ctx, store, taskIDs, *agent)
	if err != nil {
		return exitError{code: 2, err: err}
	}
	switch *format {
	case "json":
		err = printJSON(stdout, report)
	case "junit":
		err = writeJUnit(stdout, report)
	default:
		err = writeCheckText(stdout, report)
	}
	if err != nil {
		return exitError{code: 2, err: fmt.Errorf("write report: %w", err)}
	}
	if report.Checks.Errors > 0 {
		return exitError{code: 1}
	}
	return nil
}

// listTaskIDs pages through every task (of agent, if set), oldest first.
func listTaskIDs(ctx context.Context, store recorder.Reader, agent string) ([]string, error) {
	var ids []string
	f := recorder.TaskFilter{Agent: agent, Limit: 500}
	for {
		page, err := store.ListTasks(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("list tasks: %w", err)
		}
		for _, t := range page.Tasks {
			ids = append(ids, t.TaskID)
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	for i, j := 0, len(ids)-1; i < j; i, j = i+1, j-1 {
		ids[i], ids[j] = ids[j], ids[i]
	}
	return ids, nil
}

// checkTasks checks every ended exchange of the tasks, each once (an
// exchange may carry several tasks), with all its events.
func checkTasks(ctx context.Context, store recorder.Reader, taskIDs []string, agent string) (*checkReport, error) {
	report := &checkReport{Tasks: []taskCheckReport{}}
	seen := map[string]bool{}
	for _, id := range taskIDs {
		detail, err := store.GetTask(ctx, id)
		if errors.Is(err, recorder.ErrNotFound) {
			return nil, fmt.Errorf("no task %q (a2a-proxy tasks lists them)", id)
		}
		if err != nil {
			return nil, err
		}
		if agent != "" && detail.Task.Agent != agent {
			continue
		}
		tr := taskCheckReport{TaskID: id, Agent: detail.Task.Agent, Exchanges: []exchangeCheckReport{}}
		for _, x := range detail.Exchanges {
			if seen[x.ID] || x.EndedAt == nil {
				continue
			}
			seen[x.ID] = true
			rec, err := store.ExchangeRecording(ctx, x.ID, 0)
			if err != nil {
				return nil, err
			}
			found := checks.Run(&rec.Exchanges[0], rec.Events, false)
			c := checks.Count(found)
			tr.Checks.Errors += c.Errors
			tr.Checks.Warnings += c.Warnings
			tr.Exchanges = append(tr.Exchanges, exchangeCheckReport{ExchangeID: x.ID, Method: x.Method,
				Version: x.ProtocolVersion, Outcome: x.Outcome, Findings: checks.Describe(found)})
		}
		report.Checks.Errors += tr.Checks.Errors
		report.Checks.Warnings += tr.Checks.Warnings
		report.Tasks = append(report.Tasks, tr)
	}
	return report, nil
}
