-- The findings of the conformance checks of each exchange (package
-- conformance), written when the exchange has ended; checking an exchange
-- again replaces its rows. seq is the event's, -1 for the exchange as a
-- whole; n keeps the order the checks found them in.
CREATE TABLE findings (
    exchange_id TEXT NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
    n           INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    severity    TEXT NOT NULL, -- error or warning
    version     TEXT NOT NULL DEFAULT '', -- the protocol version checked against
    message     TEXT NOT NULL DEFAULT '',
    path        TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (exchange_id, n)
) WITHOUT ROWID;
