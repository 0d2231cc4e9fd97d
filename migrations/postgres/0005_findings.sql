-- The PostgreSQL twin of ../0004_findings.sql: the findings of the
-- conformance checks of each exchange, replaced when it is checked again.
CREATE TABLE findings (
    exchange_id text COLLATE "C" NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    n           integer NOT NULL,
    seq         bigint NOT NULL,
    rule        text COLLATE "C" NOT NULL,
    severity    text COLLATE "C" NOT NULL, -- error or warning
    version     text COLLATE "C" NOT NULL DEFAULT '',
    message     text COLLATE "C" NOT NULL DEFAULT '',
    path        text COLLATE "C" NOT NULL DEFAULT '',
    PRIMARY KEY (exchange_id, n)
);
