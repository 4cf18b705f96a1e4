CREATE TABLE activity_definitions (
    id             TEXT PRIMARY KEY,
    key            TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    enabled        INTEGER NOT NULL,
    trigger_type   TEXT NOT NULL,
    trigger_config TEXT NOT NULL,
    spec           TEXT NOT NULL,
    body           TEXT NOT NULL,
    scope          TEXT NOT NULL,
    source_path    TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    retired_at     TEXT
);
CREATE INDEX activity_definitions_scope_idx ON activity_definitions (scope);

CREATE TABLE event_types (
    name         TEXT PRIMARY KEY,
    description  TEXT,
    schema       TEXT,
    spec         TEXT NOT NULL,
    body         TEXT NOT NULL,
    scope        TEXT NOT NULL,
    source_path  TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    retired_at   TEXT
);
CREATE INDEX event_types_scope_idx ON event_types (scope);

CREATE TABLE sync_runs (
    id          TEXT PRIMARY KEY,
    mode        TEXT NOT NULL,
    scope       TEXT NOT NULL,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    sources     TEXT NOT NULL,
    counts      TEXT NOT NULL,
    errors      TEXT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX sync_runs_scope_started_idx ON sync_runs (scope, started_at DESC);
