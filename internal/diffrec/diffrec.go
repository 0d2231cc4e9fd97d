// Package diffrec turns recordings of the recorder into the diff package's
// Recording, so that the CLI and the admin plane compare tasks alike. It is
// the only place that knows both: diff stays free of any store.
package diffrec

import (
	"strconv"

	"github.com/a2aproxy/a2a-proxy/diff"
	"github.com/a2aproxy/a2a-proxy/recorder"
)

// Recording returns rec's events, in timeline order, as a diff.Recording
// named name. Each event's Data is its JSON document as the API shows it (for
// an SSE event, the data of the block), and its Exchange names the exchange
// by method and position among the task's exchanges of that method, which a
// rerun repeats, unlike the exchange's id.
func Recording(name string, rec *recorder.Recording) diff.Recording {
	labels := ExchangeLabels(rec)
	docs := rec.EventDocs()
	out := diff.Recording{Name: name, Events: make([]diff.Event, len(docs))}
	for i, d := range docs {
		ev := &rec.Events[i]
		out.Events[i] = diff.Event{
			Seq:      ev.Seq,
			Offset:   ev.Offset,
			Kind:     ev.Kind,
			Exchange: labels[ev.ExchangeID],
			Data:     d.Data,
		}
	}
	return out
}

// Compare compares two recordings as Recording converts them.
func Compare(nameA string, a *recorder.Recording, nameB string, b *recorder.Recording, opts diff.Options) diff.Result {
	return diff.Compare(Recording(nameA, a), Recording(nameB, b), opts)
}

// ExchangeLabels maps each exchange id of rec to a label stable across
// runs: its method ("message/stream"; for a request that names none, its
// HTTP method), and from the second exchange of that method on, its position
// ("message/stream #2").
func ExchangeLabels(rec *recorder.Recording) map[string]string {
	labels := make(map[string]string, len(rec.Exchanges))
	seen := make(map[string]int)
	for _, x := range rec.Exchanges {
		method := x.Method
		if method == "" {
			method = x.HTTPMethod
		}
		seen[method]++
		label := method
		if n := seen[method]; n > 1 {
			label += " #" + strconv.Itoa(n)
		}
		labels[x.ID] = label
	}
	return labels
}
