-- One HTTP request/response through the proxy. Times are unix nanoseconds.
CREATE TABLE exchanges (
    id                     TEXT PRIMARY KEY, -- UUIDv7 assigned by the proxy
    agent                  TEXT NOT NULL,
    method                 TEXT NOT NULL DEFAULT '',
    protocol_version       TEXT NOT NULL DEFAULT '',
    binding                TEXT NOT NULL DEFAULT '',
    http_method            TEXT NOT NULL DEFAULT '',
    path                   TEXT NOT NULL DEFAULT '',
    request_headers        TEXT NOT NULL DEFAULT '{}', -- JSON object, credentials already redacted
    request_body           BLOB,
    request_body_truncated INTEGER NOT NULL DEFAULT 0,
    rpc_id                 TEXT NOT NULL DEFAULT '',
    task_id                TEXT NOT NULL DEFAULT '', -- named by the request
    context_id             TEXT NOT NULL DEFAULT '', -- named by the request
    message_id             TEXT NOT NULL DEFAULT '',
    started_at             INTEGER NOT NULL,
    trace_id               TEXT NOT NULL DEFAULT '',
    span_id                TEXT NOT NULL DEFAULT '',
    -- Filled in when the response is over; ended_at stays NULL while open.
    status                 INTEGER NOT NULL DEFAULT 0,
    content_type           TEXT NOT NULL DEFAULT '',
    streaming              INTEGER NOT NULL DEFAULT 0,
    ended_at               INTEGER,
    outcome                TEXT NOT NULL DEFAULT '',
    error                  TEXT NOT NULL DEFAULT '',
    event_count            INTEGER NOT NULL DEFAULT 0,
    dropped_events         INTEGER NOT NULL DEFAULT 0,
    recording_complete     INTEGER GENERATED ALWAYS AS (ended_at IS NOT NULL AND dropped_events = 0) VIRTUAL
);

-- One SSE event, or one unary response body, with fields extracted from it.
-- exchange_id is not declared a foreign key: checking it would cost every
-- insert about 15% of the writer's throughput, and the writer always inserts
-- an exchange before its events.
CREATE TABLE events (
    exchange_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    offset_ns   INTEGER NOT NULL, -- since the exchange started
    at          INTEGER NOT NULL,
    raw         BLOB NOT NULL,    -- exactly as received
    kind        TEXT NOT NULL DEFAULT '',
    task_id     TEXT NOT NULL DEFAULT '',
    context_id  TEXT NOT NULL DEFAULT '',
    state       TEXT NOT NULL DEFAULT '',
    final       INTEGER NOT NULL DEFAULT 0,
    artifact_id TEXT NOT NULL DEFAULT '',
    flag        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (exchange_id, seq)
);

-- A task's events are reached through exchange_tasks and the primary key,
-- never by events.task_id: an index on it would cost every insert about a
-- quarter of the writer's throughput.

-- One row per task id, kept up to date by the writer.
CREATE TABLE tasks (
    task_id           TEXT PRIMARY KEY,
    context_id        TEXT NOT NULL DEFAULT '',
    agent             TEXT NOT NULL DEFAULT '',
    first_seen        INTEGER NOT NULL,
    last_seen         INTEGER NOT NULL,
    state             TEXT NOT NULL DEFAULT '', -- latest non-empty state
    event_count       INTEGER NOT NULL DEFAULT 0, -- events carrying this task id
    exchange_count    INTEGER NOT NULL DEFAULT 0, -- rows in exchange_tasks
    last_message      TEXT NOT NULL DEFAULT '', -- text of the latest status message
    first_exchange_id TEXT NOT NULL DEFAULT '',
    trace_id          TEXT NOT NULL DEFAULT '' -- of the first exchange
);

-- Newest first, stable under ties; one index per equality filter so each
-- filter pages along an index too.
CREATE INDEX tasks_newest ON tasks (first_seen DESC, task_id DESC);
CREATE INDEX tasks_by_agent ON tasks (agent, first_seen DESC, task_id DESC);
CREATE INDEX tasks_by_state ON tasks (state, first_seen DESC, task_id DESC);
CREATE INDEX tasks_by_context ON tasks (context_id, first_seen DESC, task_id DESC);

-- Every exchange linked to each task it touched: named by the request or by
-- any of its events.
CREATE TABLE exchange_tasks (
    task_id     TEXT NOT NULL, -- no foreign key: the link is written before the task row it counts
    exchange_id TEXT NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, exchange_id)
) WITHOUT ROWID;

CREATE INDEX exchange_tasks_by_exchange ON exchange_tasks (exchange_id);
