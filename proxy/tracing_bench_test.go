package proxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/a2aproxy/a2a-proxy/recorder"
	"github.com/a2aproxy/a2a-proxy/recorder/sqlite"
)

// benchEventsPerStream is the length of each streamed response.
const benchEventsPerStream = 100

// benchStreamsPerExport is how many streams' spans go out in one export,
// flushed inside the CPU measurement: 2 spans each make the batch span
// processor's default batch of 512, which a busy proxy fills.
const benchStreamsPerExport = sdktrace.DefaultMaxExportBatchSize / 2

// benchEvent is a v0.3 status-update as a2a-go frames it, about 500 bytes.
var benchEvent = "id: 8f2c6a1e-4b7d-4c1a-9a57-2f3e0c9d1b42\ndata: " +
	`{"jsonrpc":"2.0","id":1,"result":{"kind":"status-update","taskId":"0199a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",` +
	`"contextId":"0199a1b2-7c3d-7e4f-8a9b-5a4b3c2d1e0f","status":{"state":"working","message":{"kind":"message",` +
	`"role":"agent","messageId":"0199a1b2-7c3d-7e4f-8a9b-112233445566","parts":[{"kind":"text",` +
	`"text":"Processing step 3 of 5: reading the input and checking it against the schema..."}]}},"final":false}}` + "\n\n"

// BenchmarkTracing compares the per-event cost of a streamed response through
// the proxy with tracing off (no TracerProvider) and on (an SDK
// TracerProvider whose BatchSpanProcessor exports over OTLP/HTTP to a
// receiver in the same process). Both are set up as a2a-proxy serve sets the
// proxy up: recording into SQLite, with SDK metrics. Events go one at a time:
// the agent sends the next only once the client has read the previous one,
// so latency is the path's own, without queueing. Per event it reports the
// p50 and p90 latency from the agent's write to the client's read, and the
// process's CPU time (getrusage), span export included.
//
// "paired" alternates the two, stream by stream, in one run, so that a busy
// machine slows both alike, and reports tracing's overhead in percent.
//
//	go test ./proxy -run '^$' -bench BenchmarkTracing -benchtime 30000x -count 8
func BenchmarkTracing(b *testing.B) {
	b.Run("tracing-off", func(b *testing.B) { benchmarkAlone(b, false) })
	b.Run("tracing-on", func(b *testing.B) { benchmarkAlone(b, true) })
	b.Run("paired", func(b *testing.B) {
		off, on := newStreamBench(b, false), newStreamBench(b, true)
		b.ResetTimer()
		for round, done := 0, 0; done < b.N; round, done = round+1, done+benchEventsPerStream {
			n := min(benchEventsPerStream, b.N-done)
			first, second := off, on
			if round%2 == 1 { // neither goes first every time
				first, second = on, off
			}
			first.stream(b, n)
			second.stream(b, n)
		}
		offP50, offCPU := off.report(b, "off-")
		onP50, onCPU := on.report(b, "on-")
		b.ReportMetric(100*(onP50/offP50-1), "p50-overhead-%")
		b.ReportMetric(100*(onCPU/offCPU-1), "cpu-overhead-%")
	})
}

func benchmarkAlone(b *testing.B, traced bool) {
	sb := newStreamBench(b, traced)
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; done += benchEventsPerStream {
		sb.stream(b, min(benchEventsPerStream, b.N-done))
	}
	sb.report(b, "")
}

// streamBench is an agent, a proxy in front of it and a client, with what
// their streams measured.
type streamBench struct {
	url    string
	client *http.Client
	tp     *sdktrace.TracerProvider // nil: tracing off
	next   chan struct{}            // lets the agent send the next event
	sentAt atomic.Int64             // UnixNano of the agent's write of the current event

	latencies []time.Duration
	cpu       time.Duration
	events    int
	streams   int
}

func newStreamBench(b *testing.B, traced bool) *streamBench {
	sb := &streamBench{next: make(chan struct{})}
	agent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		sseHeaders(w)
		for range n {
			select {
			case <-sb.next:
			case <-r.Context().Done():
				return
			}
			sb.sentAt.Store(time.Now().UnixNano())
			io.WriteString(w, benchEvent)
			w.(http.Flusher).Flush()
		}
	}))
	b.Cleanup(agent.Close)
	a, _ := NewAgent("bench", agent.URL)
	store, err := sqlite.OpenRecorder(context.Background(), filepath.Join(b.TempDir(), "bench.db"), recorder.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { store.Close() })
	opts := Options{
		Agents:        []Agent{a},
		Recorder:      store,
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader())),
		Propagator:    propagation.TraceContext{},
	}
	if traced {
		sb.tp = newExportingTracerProvider(b)
		opts.TracerProvider = sb.tp
	}
	p, err := New(opts)
	if err != nil {
		b.Fatal(err)
	}
	front := httptest.NewServer(p)
	b.Cleanup(front.Close)
	sb.url, sb.client = front.URL, front.Client()
	return sb
}

// newExportingTracerProvider exports over OTLP/HTTP to a receiver that
// reads and drops what it is sent, as a2a-proxy serve with
// OTEL_EXPORTER_OTLP_ENDPOINT set does.
func newExportingTracerProvider(b *testing.B) *sdktrace.TracerProvider {
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // an empty body is an empty ExportTraceServiceResponse
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	b.Cleanup(receiver.Close)
	exporter, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(receiver.URL+"/v1/traces"))
	if err != nil {
		b.Fatal(err)
	}
	limits := sdktrace.NewSpanLimits()
	limits.EventCountLimit = DefaultSpanEventLimit // as a2a-proxy serve sets it
	// No timed exports: they could land while the other half of a pair runs.
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter, sdktrace.WithBatchTimeout(time.Hour)),
		sdktrace.WithSpanLimits(limits))
	b.Cleanup(func() { tp.Shutdown(context.Background()) })
	return tp
}

// stream runs one streamed response of n events through the proxy.
func (sb *streamBench) stream(b *testing.B, n int) {
	cpuBefore := cpuTime()
	defer func() { sb.cpu += cpuTime() - cpuBefore }()
	resp, err := sb.client.Post(fmt.Sprintf("%s/?n=%d", sb.url, n), "application/json", strings.NewReader(streamRequest))
	if err != nil {
		b.Fatal(err)
	}
	r := bufio.NewReader(resp.Body)
	for range n {
		sb.next <- struct{}{}
		if _, err := readEvent(r); err != nil {
			b.Fatal(err)
		}
		sb.latencies = append(sb.latencies, time.Duration(time.Now().UnixNano()-sb.sentAt.Load()))
	}
	io.Copy(io.Discard, r)
	resp.Body.Close()
	sb.events += n
	if sb.streams++; sb.streams%benchStreamsPerExport == 0 {
		sb.export(b)
	}
}

// export flushes the spans of the streams so far to the receiver.
func (sb *streamBench) export(b *testing.B) {
	if sb.tp == nil {
		return
	}
	if err := sb.tp.ForceFlush(context.Background()); err != nil {
		b.Fatal(err)
	}
}

// report reports p50 and p90 latency and CPU per event, in microseconds,
// and returns the p50 and CPU figures.
func (sb *streamBench) report(b *testing.B, prefix string) (p50, cpu float64) {
	cpuBefore := cpuTime()
	sb.export(b) // the last streams' spans
	sb.cpu += cpuTime() - cpuBefore
	slices.Sort(sb.latencies)
	micros := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	p50 = micros(sb.latencies[len(sb.latencies)/2])
	cpu = micros(sb.cpu) / float64(sb.events)
	b.ReportMetric(p50, prefix+"p50-µs/event")
	b.ReportMetric(micros(sb.latencies[len(sb.latencies)*9/10]), prefix+"p90-µs/event")
	b.ReportMetric(cpu, prefix+"cpu-µs/event")
	return p50, cpu
}

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
