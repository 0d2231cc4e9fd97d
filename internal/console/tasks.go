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
	fmt.Fprintln(tw, "TASK ID\tCONTEXT ID\tAGENT\tSTATE\tFIRST SEEN\tDURATION\tEVENTS\tEXCHANGES")
	for _, task := range page.Tasks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\n",
			task.TaskID, orDash(task.ContextID), orDash(task.Agent), orDash(task.State),
			formatTime(task.FirstSeen), formatDuration(task.LastSeen.Sub(task.FirstSeen)),
			task.EventCount, task.ExchangeCount)
	}
	if page.NextCursor != "" {
		fmt.Fprintf(tw, "More tasks: cursor %s\n", page.NextCursor)
	}
	return tw.Flush()
}
