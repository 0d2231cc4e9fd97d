-- The twin of SQLite's 0002: what the recorder keeps about itself (Open
-- writes last_open here, a real write that fails the start on a store it
-- cannot write), and an index of the exchanges still open, so that closing
-- those a crash left open does not scan the whole table.
CREATE TABLE recorder_meta (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE INDEX exchanges_open ON exchanges (id) WHERE ended_at IS NULL;
