-- What the recorder keeps about itself. Open writes last_open here: a real
-- write, so that a database it cannot write fails the start, not the first
-- batch.
CREATE TABLE recorder_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- The exchanges still open. After a crash, the next Open closes them as
-- interrupted without scanning the whole table; an exchange enters this
-- index at its start and leaves it at its end.
CREATE INDEX exchanges_open ON exchanges (id) WHERE ended_at IS NULL;
