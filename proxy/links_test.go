package proxy

import (
	"testing"

	"go.opentelemetry.io/otel/trace"
)

func spanContext(b byte) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{b}, SpanID: trace.SpanID{b}})
}

func TestTaskLinksRememberTheFirstAndForgetTheOldest(t *testing.T) {
	l := newTaskLinks(2)
	if _, seen := l.firstOrRemember("a", spanContext(1)); seen {
		t.Fatal("a new task was seen before")
	}
	if first, seen := l.firstOrRemember("a", spanContext(2)); !seen || !first.Equal(spanContext(1)) {
		t.Fatalf("second exchange of a: first %v seen %v, want the first exchange's span", first, seen)
	}
	l.firstOrRemember("b", spanContext(3))
	l.firstOrRemember("c", spanContext(4)) // full: a goes
	if _, seen := l.firstOrRemember("a", spanContext(5)); seen {
		t.Error("the oldest task was not forgotten")
	}
	if first, seen := l.firstOrRemember("c", spanContext(6)); !seen || !first.Equal(spanContext(4)) {
		t.Errorf("c: first %v seen %v", first, seen)
	}
	if len(l.first) != 2 {
		t.Errorf("%d tasks remembered, capacity 2", len(l.first))
	}
}
