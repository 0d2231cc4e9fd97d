package console

import (
	"bytes"
	"io"
	"text/tabwriter"
)

// table aligns tab-separated cells into columns. Writes are buffered, so only
// Flush can fail.
type table struct {
	*tabwriter.Writer
	out io.Writer
	buf bytes.Buffer
}

func newTable(out io.Writer) *table {
	t := &table{out: out}
	t.Writer = tabwriter.NewWriter(&t.buf, 0, 0, 2, ' ', 0)
	return t
}

// Flush writes the aligned text to the output, without the trailing spaces
// tabwriter leaves where a row's last cells are empty.
func (t *table) Flush() error {
	if err := t.Writer.Flush(); err != nil {
		return err
	}
	var out bytes.Buffer
	for line := range bytes.Lines(t.buf.Bytes()) {
		out.Write(bytes.TrimRight(line, " \n"))
		out.WriteByte('\n')
	}
	t.buf.Reset()
	_, err := t.out.Write(out.Bytes())
	return err
}
