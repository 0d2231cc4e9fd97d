package replay

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// fixtureFile is an NDJSON fixture file that recordings are appended to.
type fixtureFile struct {
	mu   sync.Mutex // one append at a time
	path string
}

// append adds a recording at the end of the file, creating it if needed.
// The recording is encoded first and written in one write to a file opened
// for appending, then synced: the lines already there are never touched, and
// a reader sees whole recordings or, at worst after a crash, a torn last one
// that names its line.
func (f *fixtureFile) append(rec *recorder.Recording) error {
	var b bytes.Buffer
	b.WriteByte('\n') // dropped below unless the file lacks its last newline
	if err := recorder.WriteRecordings(&b, rec); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	file, err := os.OpenFile(f.path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open fixture: %w", err)
	}
	defer file.Close()
	out := b.Bytes()
	if ends, err := endsLine(file); err != nil {
		return fmt.Errorf("read fixture %s: %w", f.path, err)
	} else if ends {
		out = out[1:]
	}
	if _, err := file.Write(out); err != nil {
		return fmt.Errorf("append to fixture %s: %w", f.path, err)
	}
	if err := file.Sync(); err != nil {
		return fmt.Errorf("sync fixture %s: %w", f.path, err)
	}
	return file.Close()
}

// endsLine tells whether a file is empty or ends with a newline: a
// hand-edited fixture may lack the last one, and the next line must not be
// glued to it.
func endsLine(file *os.File) (bool, error) {
	info, err := file.Stat()
	if err != nil || info.Size() == 0 {
		return true, err
	}
	last := make([]byte, 1)
	if _, err := file.ReadAt(last, info.Size()-1); err != nil && err != io.EOF {
		return false, err
	}
	return last[0] == '\n', nil
}
