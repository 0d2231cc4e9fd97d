-- The PostgreSQL twin of ../0001_init.sql: the same tables, columns and
-- indexes, so both backends map the same domain types. Times are unix
-- nanoseconds in bigint, as SQLite stores them (timestamptz keeps only
-- microseconds), 0 standing for the zero time; flags are boolean; raw bytes
-- are bytea. Text compares bytewise (COLLATE "C"), as SQLite's BINARY does,
-- whatever the database's locale: ties in ORDER BY ..., id and keyset
-- cursors sort the same on both backends, and ILIKE folds ASCII only, as
-- SQLite's LIKE.

-- One HTTP request/response through the proxy.
CREATE TABLE exchanges (
    id                     text COLLATE "C" PRIMARY KEY, -- UUIDv7 assigned by the proxy
    agent                  text COLLATE "C" NOT NULL,
    method                 text COLLATE "C" NOT NULL DEFAULT '',
    protocol_version       text COLLATE "C" NOT NULL DEFAULT '',
    binding                text COLLATE "C" NOT NULL DEFAULT '',
    http_method            text COLLATE "C" NOT NULL DEFAULT '',
    path                   text COLLATE "C" NOT NULL DEFAULT '',
    request_headers        text COLLATE "C" NOT NULL DEFAULT '{}', -- JSON object, credentials already redacted; read whole, never queried
    request_body           bytea,
    request_body_truncated boolean NOT NULL DEFAULT false,
    rpc_id                 text COLLATE "C" NOT NULL DEFAULT '',
    task_id                text COLLATE "C" NOT NULL DEFAULT '', -- named by the request
    context_id             text COLLATE "C" NOT NULL DEFAULT '', -- named by the request
    message_id             text COLLATE "C" NOT NULL DEFAULT '',
    started_at             bigint NOT NULL,
    trace_id               text COLLATE "C" NOT NULL DEFAULT '',
    span_id                text COLLATE "C" NOT NULL DEFAULT '',
    -- Filled in when the response is over; ended_at stays NULL while open.
    status                 integer NOT NULL DEFAULT 0,
    content_type           text COLLATE "C" NOT NULL DEFAULT '',
    streaming              boolean NOT NULL DEFAULT false,
    ended_at               bigint,
    outcome                text COLLATE "C" NOT NULL DEFAULT '',
    error                  text COLLATE "C" NOT NULL DEFAULT '',
    event_count            bigint NOT NULL DEFAULT 0,
    dropped_events         bigint NOT NULL DEFAULT 0,
    -- STORED: PostgreSQL before 18 has no virtual generated columns.
    recording_complete     boolean GENERATED ALWAYS AS (ended_at IS NOT NULL AND dropped_events = 0) STORED
);

-- One SSE event, or one unary response body, with fields extracted from it.
-- exchange_id is not declared a foreign key, as in SQLite: the writer always
-- inserts an exchange before its events, and the check would cost every
-- event an index probe.
CREATE TABLE events (
    exchange_id text COLLATE "C" NOT NULL,
    seq         bigint NOT NULL,
    offset_ns   bigint NOT NULL, -- since the exchange started
    at          bigint NOT NULL,
    raw         bytea NOT NULL,  -- exactly as received
    kind        text COLLATE "C" NOT NULL DEFAULT '',
    task_id     text COLLATE "C" NOT NULL DEFAULT '',
    context_id  text COLLATE "C" NOT NULL DEFAULT '',
    state       text COLLATE "C" NOT NULL DEFAULT '',
    final       boolean NOT NULL DEFAULT false,
    artifact_id text COLLATE "C" NOT NULL DEFAULT '',
    flag        text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (exchange_id, seq)
);

-- A task's events are reached through exchange_tasks and the primary key,
-- never by events.task_id, so that column has no index (it would cost every
-- insert).

-- One row per task id, kept up to date by the writer.
CREATE TABLE tasks (
    task_id           text COLLATE "C" PRIMARY KEY,
    context_id        text COLLATE "C" NOT NULL DEFAULT '',
    agent             text COLLATE "C" NOT NULL DEFAULT '',
    first_seen        bigint NOT NULL,
    last_seen         bigint NOT NULL,
    state             text COLLATE "C" NOT NULL DEFAULT '', -- latest non-empty state
    event_count       bigint NOT NULL DEFAULT 0, -- events carrying this task id
    exchange_count    bigint NOT NULL DEFAULT 0, -- rows in exchange_tasks
    last_message      text COLLATE "C" NOT NULL DEFAULT '', -- text of the latest status message
    first_exchange_id text COLLATE "C" NOT NULL DEFAULT '',
    trace_id          text COLLATE "C" NOT NULL DEFAULT '' -- of the first exchange
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
    task_id     text COLLATE "C" NOT NULL, -- no foreign key: the link is written before the task row it counts
    exchange_id text COLLATE "C" NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    PRIMARY KEY (task_id, exchange_id)
);

CREATE INDEX exchange_tasks_by_exchange ON exchange_tasks (exchange_id);
