package replay

import (
	"bytes"
	"encoding/json"
	"io"
)

// idSpan is where the JSON-RPC id of a recorded response sits in its bytes.
// The zero value means there is none: the bytes are sent unchanged.
type idSpan struct{ start, end int }

// findID locates the JSON-RPC id of a recorded response: in a whole unary
// body, or in the data of an SSE block (which is never a JSON document).
func findID(raw []byte) idSpan {
	if json.Valid(raw) {
		return jsonIDSpan(raw)
	}
	return sseIDSpan(raw)
}

// writeWithID writes raw with the id at span replaced by id. Every other byte
// goes out as recorded: the SSE framing, the spacing, the result.
func writeWithID(w io.Writer, raw []byte, span idSpan, id []byte) error {
	if span == (idSpan{}) {
		_, err := w.Write(raw)
		return err
	}
	for _, part := range [][]byte{raw[:span.start], id, raw[span.end:]} {
		if _, err := w.Write(part); err != nil {
			return err
		}
	}
	return nil
}

// dataLine is where one data line's value sits in an SSE block, and where it
// starts in the event's data (the values joined by '\n').
type dataLine struct{ inBlock, inData int }

// sseIDSpan finds the id in the data of an SSE block and maps it back to the
// block. An id value holds no newline, so it lies within one data line.
func sseIDSpan(block []byte) idSpan {
	var data []byte
	var lines []dataLine
	for pos := 0; pos < len(block); {
		end := pos
		for end < len(block) && block[end] != '\n' && block[end] != '\r' {
			end++
		}
		if value, ok := bytes.CutPrefix(block[pos:end], []byte("data:")); ok {
			inBlock := pos + len("data:")
			if len(value) > 0 && value[0] == ' ' {
				value, inBlock = value[1:], inBlock+1
			}
			if len(lines) > 0 {
				data = append(data, '\n')
			}
			lines = append(lines, dataLine{inBlock: inBlock, inData: len(data)})
			data = append(data, value...)
		}
		pos = end + 1
		if end+1 < len(block) && block[end] == '\r' && block[end+1] == '\n' {
			pos++
		}
	}
	span := jsonIDSpan(data)
	if span == (idSpan{}) {
		return idSpan{}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if l := lines[i]; l.inData <= span.start {
			shift := l.inBlock - l.inData
			return idSpan{start: span.start + shift, end: span.end + shift}
		}
	}
	return idSpan{}
}

// jsonIDSpan finds the value of the top-level "id" member of a JSON object.
// It stops there, so the result that usually follows is not scanned.
func jsonIDSpan(doc []byte) idSpan {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return idSpan{}
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return idSpan{}
		}
		afterKey := int(dec.InputOffset())
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return idSpan{}
		}
		if key != "id" {
			continue
		}
		// Between the key and its value: white space and the colon.
		start := afterKey + len(doc[afterKey:]) - len(bytes.TrimLeft(doc[afterKey:], " \t\r\n:"))
		if !bytes.HasPrefix(doc[start:], value) {
			return idSpan{}
		}
		return idSpan{start: start, end: start + len(value)}
	}
	return idSpan{}
}
