-- PostgreSQL only (SQLite has one process per file): several proxy replicas
-- share the database. Each running replica keeps a row here and beats
-- heartbeat_at, by the server's clock, every few seconds; each exchange
-- names the replica that recorded it. An exchange left open by a replica
-- whose heartbeat stopped is closed as interrupted by the next replica to
-- start, as SQLite's next Open closes those of a crashed process.
CREATE TABLE replicas (
    id           text COLLATE "C" PRIMARY KEY,
    started_at   timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now()
);

-- '' for exchanges recorded before this migration: no replica owns them.
ALTER TABLE exchanges ADD COLUMN replica_id text COLLATE "C" NOT NULL DEFAULT '';
