package replay

import (
	"fmt"
	"os"

	"github.com/a2aproxy/a2a-proxy/recorder"
)

// ReadFixtures reads the recordings of NDJSON files (a2a-proxy export), all
// of them or none: a file that cannot be read or a corrupt line fails the
// lot, with an error that names the file (and the line, a
// *recorder.FormatError).
func ReadFixtures(paths ...string) ([]*recorder.Recording, error) {
	var recs []*recorder.Recording
	for _, path := range paths {
		more, err := readFixture(path)
		if err != nil {
			return nil, err
		}
		recs = append(recs, more...)
	}
	return recs, nil
}

func readFixture(path string) ([]*recorder.Recording, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read fixture: %w", err)
	}
	defer f.Close()
	return recorder.ReadRecordings(f, path)
}
