-- Reports that `--report-url` could not deliver, kept until a later run of the same scope
-- delivers them (oldest first, with the idempotency key they were first sent with). The
-- authorization header is never stored; `url` is the redacted endpoint of the first try
-- (a later run delivers to its own `--report-url`).
CREATE TABLE report_outbox (
    id              uuid PRIMARY KEY,
    scope           text NOT NULL,
    idempotency_key text NOT NULL UNIQUE,
    url             text NOT NULL,
    body            text NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        bigint NOT NULL,
    last_error      text,
    sent_at         timestamptz
);
CREATE INDEX report_outbox_pending_idx ON report_outbox (scope, created_at) WHERE sent_at IS NULL;
