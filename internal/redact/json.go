package redact

import (
	"bytes"
	"encoding/json"
)

// JSON returns doc with the value of every field whose name must not be
// stored replaced by the string "[REDACTED]", at any depth; every other byte
// stays as it was. It returns doc itself when nothing is redacted. A document
// cut short (a truncated body) is redacted as far as it goes, a secret value
// cut short included; in a document that is not JSON, fields before the first
// syntax error are.
func (r *Redactor) JSON(doc []byte) []byte {
	if !r.mayHold(doc) {
		return doc
	}
	out, _ := r.redactJSON(doc)
	return out
}

// redactJSON is JSON without the pre-check; changed says whether out differs
// from doc.
func (r *Redactor) redactJSON(doc []byte) (out []byte, changed bool) {
	spans := r.secretValues(doc)
	if len(spans) == 0 { // spans did not escape: nothing allocated
		return doc, false
	}
	out = make([]byte, 0, len(doc))
	last := 0
	for _, s := range spans {
		out = append(out, doc[last:s.from]...)
		out = append(out, `"`+Marker+`"`...)
		last = s.to
	}
	return append(out, doc[last:]...), true
}

type span struct{ from, to int }

// secretValues walks doc and returns the bounds of the values of secret
// fields, in order. It keeps a stack of open containers rather than
// recursing, so no depth of nesting can exhaust the goroutine's stack.
func (r *Redactor) secretValues(doc []byte) []span {
	const (
		wantValue = iota
		wantKey   // after '{' or ',' in an object
		wantMore  // after a value: ',' or a closing bracket
	)
	var spanBuf [4]span
	var stackBuf [32]byte
	spans := spanBuf[:0]
	stack := stackBuf[:0] // '{' or '['
	state := wantValue
	i := 0
	for {
		i = skipSpace(doc, i)
		if i >= len(doc) {
			return spans // the end, or a document cut short
		}
		c := doc[i]
		switch state {
		case wantValue:
			switch c {
			case '{', '[':
				stack = append(stack, c)
				i++
				state = wantValue
				if c == '{' {
					state = wantKey
				}
				if j := skipSpace(doc, i); j < len(doc) && doc[j] == c+2 { // '}' or ']'
					stack = stack[:len(stack)-1]
					i, state = j+1, wantMore
				}
				continue
			case '"':
				i = skipString(doc, i)
			default:
				j := skipLiteral(doc, i)
				if j == i {
					return spans
				}
				i = j
			}
			state = wantMore
		case wantKey:
			if c != '"' {
				return spans
			}
			end := skipString(doc, i)
			if end > len(doc) {
				return spans
			}
			key := doc[i+1 : end-1]
			i = skipSpace(doc, end)
			if i >= len(doc) || doc[i] != ':' {
				return spans
			}
			i = skipSpace(doc, i+1)
			if !r.fieldName(key) {
				state = wantValue
				continue
			}
			if i >= len(doc) {
				return spans
			}
			end = skipValue(doc, i)
			spans = append(spans, span{i, min(end, len(doc))})
			i, state = end, wantMore
		case wantMore:
			if len(stack) == 0 {
				return spans // trailing bytes: not JSON
			}
			top := stack[len(stack)-1]
			switch {
			case c == ',' && top == '{':
				i, state = i+1, wantKey
			case c == ',':
				i, state = i+1, wantValue
			case c == top+2:
				stack = stack[:len(stack)-1]
				i++
			default:
				return spans
			}
		}
	}
}

// fieldName matches a raw key, undoing escapes when it has any.
func (r *Redactor) fieldName(raw []byte) bool {
	if bytes.IndexByte(raw, '\\') >= 0 {
		var s string
		if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) == nil {
			return r.fields.match([]byte(s))
		}
	}
	return r.fields.match(raw)
}

func skipSpace(doc []byte, i int) int {
	for i < len(doc) && (doc[i] == ' ' || doc[i] == '\t' || doc[i] == '\n' || doc[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at doc[i] ('"'),
// or len(doc)+1 when the document ends inside it.
func skipString(doc []byte, i int) int {
	for j := i + 1; j < len(doc); j++ {
		k := bytes.IndexByte(doc[j:], '"')
		if k < 0 {
			break
		}
		j += k
		if !escaped(doc, j) {
			return j + 1
		}
	}
	return len(doc) + 1
}

// skipLiteral returns the index after a number, true, false or null.
func skipLiteral(doc []byte, i int) int {
	for i < len(doc) {
		switch doc[i] {
		case ',', ']', '}', ':', '"', '{', '[', ' ', '\t', '\n', '\r':
			return i
		}
		i++
	}
	return i
}

// skipValue returns the index after the value starting at doc[i], or a
// number past the end when the document ends inside it.
func skipValue(doc []byte, i int) int {
	switch doc[i] {
	case '"':
		return skipString(doc, i)
	case '{', '[':
	default:
		return skipLiteral(doc, i)
	}
	depth := 0
	for i < len(doc) {
		switch doc[i] {
		case '"':
			i = skipString(doc, i)
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
		i++
	}
	return len(doc) + 1
}
