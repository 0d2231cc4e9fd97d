package diff

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// ndjsonLine is the part of an exported recording's line (see
// recorder/export.go) that a diff needs: the header's exchanges, or an
// event.
type ndjsonLine struct {
	Format    string `json:"format"`
	Exchanges []struct {
		ID     string `json:"id"`
		Method string `json:"method"`
	} `json:"exchanges"`
	ExchangeID string          `json:"exchangeId"`
	Seq        int             `json:"seq"`
	OffsetNs   int64           `json:"offsetNs"`
	Kind       string          `json:"kind"`
	Raw        json.RawMessage `json:"raw"`
}

// loadNDJSON reads an exported recording as the wiring will: each event's
// data is its SSE data (or the unary body), its exchange the method.
func loadNDJSON(t *testing.T, path string) Recording {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := Recording{Name: path}
	methods := map[string]string{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l ndjsonLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if l.Format != "" {
			for _, x := range l.Exchanges {
				methods[x.ID] = x.Method
			}
			continue
		}
		rec.Events = append(rec.Events, Event{
			Seq: l.Seq, Offset: time.Duration(l.OffsetNs), Kind: l.Kind,
			Exchange: methods[l.ExchangeID], Data: sseData(rawBytes(t, l.Raw)),
		})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rec
}

// rawBytes decodes the export's payload: a string, or {"base64": ...}.
func rawBytes(t *testing.T, raw json.RawMessage) []byte {
	t.Helper()
	if bytes.HasPrefix(raw, []byte(`"`)) {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			t.Fatal(err)
		}
		return []byte(s)
	}
	var b struct {
		Base64 []byte `json:"base64"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	return b.Base64
}

// sseData returns the data lines of an SSE block, or the bytes as they are
// when they hold none (a unary body).
func sseData(block []byte) []byte {
	if json.Valid(block) {
		return block
	}
	var data [][]byte
	for _, line := range bytes.Split(bytes.TrimRight(block, "\n"), []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			data = append(data, bytes.TrimPrefix(rest, []byte(" ")))
		}
	}
	if data == nil {
		return block
	}
	return bytes.Join(data, []byte("\n"))
}

// rewrite returns a copy of rec with replacements (old, new pairs) made in
// every event's data.
func rewrite(rec Recording, oldnew ...string) Recording {
	r := strings.NewReplacer(oldnew...)
	out := Recording{Name: rec.Name + "'", Events: make([]Event, len(rec.Events))}
	for i, ev := range rec.Events {
		ev.Data = []byte(r.Replace(string(ev.Data)))
		out.Events[i] = ev
	}
	return out
}

// insert returns a copy of rec with ev inserted at position i.
func insert(rec Recording, i int, ev Event) Recording {
	out := Recording{Name: rec.Name, Events: append([]Event(nil), rec.Events[:i]...)}
	out.Events = append(out.Events, ev)
	out.Events = append(out.Events, rec.Events[i:]...)
	return out
}

// paths returns the paths of a change's differences.
func paths(c EventChange) []string {
	var ps []string
	for _, d := range c.Diffs {
		ps = append(ps, d.Path)
	}
	return ps
}

// text renders res for failure messages.
func text(res Result) string {
	var b strings.Builder
	_ = res.WriteText(&b)
	return b.String()
}

// wantCounts fails unless res has exactly these many entries per list.
func wantCounts(t *testing.T, res Result, changed, added, removed, moved int) {
	t.Helper()
	if len(res.Changed) != changed || len(res.Added) != added || len(res.Removed) != removed || len(res.Moved) != moved {
		t.Fatalf("want %d changed, %d added, %d removed, %d moved; got\n%s", changed, added, removed, moved, text(res))
	}
	if want := changed+added+removed+moved+len(res.Timing) == 0; res.Equal != want {
		t.Fatalf("Equal = %v, want %v\n%s", res.Equal, want, text(res))
	}
}
