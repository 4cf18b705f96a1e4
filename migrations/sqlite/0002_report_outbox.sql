-- Reports that `--report-url` could not deliver, kept until a later run of the same scope
-- delivers them (oldest first, with the idempotency key they were first sent with). The
-- authorization header is never stored; `url` is the redacted endpoint of the first try
-- (a later run delivers to its own `--report-url`).
CREATE TABLE report_outbox (
    id              TEXT PRIMARY KEY,
    scope           TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    url             TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    last_error      TEXT,
    sent_at         TEXT
);
CREATE INDEX report_outbox_pending_idx ON report_outbox (scope, created_at) WHERE sent_at IS NULL;
