package console

import (
	"fmt"
	"io"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Tasks prints a page of tasks as a table, in the page's order. Times are
// printed in the location they carry.
func Tasks(w io.Writer, page recorder.TaskPage) error {
	if len(page.Tasks) == 0 {
		_, err := fmt.Fprintln(w, "No tasks recorded.")
		return err
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "TASK ID\tCONTEXT ID\tAGENT\tSTATUS\tFIRST SEEN\tDURATION\tEVENTS\tEXCHANGES")
	for _, task := range page.Tasks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n",
			task.TaskID, orDash(task.ContextID), orDash(task.Agent), orDash(taskStatus(task)),
			formatTime(task.FirstSeen), formatDuration(task.LastSeen.Sub(task.FirstSeen)),
			task.EventCount, task.ExchangeCount)
	}
	if page.NextCursor != "" {
		fmt.Fprintf(tw, "More tasks: cursor %s\n", page.NextCursor)
	}
	return tw.Flush()
}

// taskStatus is a task's derived status as a table cell: "working (live)"
// while an exchange is open, "interrupted: agent died" when broken.
func taskStatus(task recorder.TaskSummary) string {
	status := task.Status
	if status == "" { // a summary from before statuses were derived
		status = task.State
	}
	switch {
	case task.InterruptedReason != "":
		return status + ": " + task.InterruptedReason
	case task.Open:
		return status + " (live)"
	}
	return status
}
