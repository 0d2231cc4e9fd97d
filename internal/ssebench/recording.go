package ssebench

import (
	"database/sql"
	"fmt"
	"strings"

	_ "modernc.org/sqlite" // countRows reads the recorder's file

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Recording is what a target's recorder kept over the target's life,
// counted once the store is closed.
type Recording struct {
	Sent    int    // events sent through the proxy, warm-ups included
	Written uint64 // the store's count of committed events
	Dropped uint64
	Failed  uint64
	Rows    int64 // rows in the events table

	TraceBytes int64 // OTLP bytes the tracing receiver was sent
}

func (rec Recording) count(st recorder.Stats, dbPath string) (Recording, error) {
	rec.Written, rec.Dropped, rec.Failed = st.WrittenEvents, st.DroppedEvents, st.FailedItems
	var err error
	rec.Rows, err = countRows(dbPath)
	return rec, err
}

// countRows counts the events in a closed recorder's file.
func countRows(path string) (int64, error) {
	uri := "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path) + "?mode=ro"
	db, err := sql.Open("sqlite", uri)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", path, err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		return 0, fmt.Errorf("count events in %s: %w", path, err)
	}
	return n, nil
}
