// Package ssebench measures what a2a-proxy adds to A2A streaming traffic:
// per-event latency and recorded events per second, against a direct
// connection in the same run.
//
// The README's figures come from the process mode, as users run the
// proxy: each proxy is a process of its own (ProcessTarget), the real
// a2a-proxy binary (`go build`, then `serve --builtin=false --agent
// up=URL --db FILE|postgres://... --record-mode drop|lossless`), a bare
// httputil.ReverseProxy (this test binary re-executed) and nginx when
// installed (one process, `proxy_buffering off`, HTTP/1.1 kept alive to
// the upstream). The load client and the upstream stay in the test
// process. Targets take turns round after round, and the report gives each
// one's medians over the rounds: latency added over the direct run of the
// same round, and the CPU time the proxy's process used per event (utime
// and stime from /proc/<pid>/stat, before and after the run, the writer's
// commits included). A run behind a2a-proxy ends once its store holds
// every event sent (counted in the SQLite file or the PostgreSQL
// database), or when the count stops moving: what is missing then is lost.
// The parts (make bench runs them with the others):
//
//	go test ./internal/ssebench -run 'TestReport/(default-mode|lossless|overhead)$' -report -v -rounds 3
//
// default-mode is 1,000 streams x 10 events/s for 60 s in drop mode, on
// SQLite and on PostgreSQL (a pgtest server), every event to be recorded
// (-default-streams, -default-interval, -default-duration, -default-rounds,
// 1 by default: it is long); lossless is -tput-streams as fast as they can,
// events/s recorded into SQLite and PostgreSQL; overhead is -streams x
// -interval against bare and nginx: CPU per event and added p99 at most
// 1.5x bare's. -baseline-bin runs another a2a-proxy binary next to this
// tree's in the same rounds, for before/after figures. TestProcessSmoke
// runs every process target briefly in make test and checks counts.
//
// The in-process mode runs everything in one process on loopback: an Upstream that streams
// A2A-shaped JSON-RPC v0.3 status updates stamped with their send time, the
// proxy on its own http.Server, and a load client of N concurrent streams.
// Each stream runs message/stream calls back to back on its connection.
// The streams start spread over one interval between events, and their
// first calls are shortened so that the calls end, and the next ones start,
// spread over one call's length, as independent clients' calls do.
// The targets are
//
//	direct            client -> upstream, the baseline
//	bare              httputil.ReverseProxy alone, the floor of any Go proxy
//	plain             a2a-proxy recording nothing
//	proxied           a2a-proxy recording into SQLite in drop mode (the default)
//	proxied-lossless  a2a-proxy recording in lossless mode
//	traced            proxied, tracing on and exporting over OTLP/HTTP to a
//	                  receiver in the process
//
// They are measured one after another, never concurrently, each after a
// warm-up that opens every connection. Besides latency percentiles the
// report gives the process's CPU time per event, which moves much less than
// latency when other processes load the machine, and the share of the CPUs
// those other processes took meanwhile.
//
// The report, checking the README's targets (make bench):
//
//	go test ./internal/ssebench -run TestReport -report -v \
//	    -streams 200 -interval 20ms -duration 10s -tput-streams 50 -tput-duration 5s
//
// -run TestReport/latency, /tracing or /throughput runs one part, -targets
// a,b only those targets (to profile one with -cpuprofile), -rounds N takes
// turns N times and merges the runs, -span-events=false traces without the
// a2a.event span events.
//
// The same targets as benchmarks, b.N being the number of events:
//
//	go test ./internal/ssebench -run '^$' -bench . -benchtime 100000x
//
// What an idle open stream costs, in RSS of the real a2a-proxy binary and
// of a bare httputil.ReverseProxy, each in a process of its own in front of
// an IdleUpstream that sends one event and then nothing (1,000 streams, in
// `make test` too):
//
//	go test ./internal/ssebench -run TestIdleStreamMemory -v
//
// Without -report the package runs only a small smoke test and the idle
// memory test, so that `make test` stays fast.
package ssebench
