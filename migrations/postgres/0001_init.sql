CREATE TABLE activity_definitions (
    id             uuid PRIMARY KEY,
    key            text NOT NULL UNIQUE,
    name           text NOT NULL,
    enabled        boolean NOT NULL,
    trigger_type   text NOT NULL,
    trigger_config jsonb NOT NULL,
    spec           jsonb NOT NULL,
    body           text NOT NULL,
    scope          text NOT NULL,
    source_path    text NOT NULL,
    content_hash   text NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    retired_at     timestamptz
);
CREATE INDEX activity_definitions_scope_idx ON activity_definitions (scope);

CREATE TABLE event_types (
    name         text PRIMARY KEY,
    description  text,
    schema       jsonb,
    spec         jsonb NOT NULL,
    body         text NOT NULL,
    scope        text NOT NULL,
    source_path  text NOT NULL,
    content_hash text NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    retired_at   timestamptz
);
CREATE INDEX event_types_scope_idx ON event_types (scope);

CREATE TABLE sync_runs (
    id          uuid PRIMARY KEY,
    mode        text NOT NULL,
    scope       text NOT NULL,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL,
    sources     jsonb NOT NULL,
    counts      jsonb NOT NULL,
    errors      jsonb NOT NULL,
    outcome     text NOT NULL
);
CREATE INDEX sync_runs_scope_started_idx ON sync_runs (scope, started_at DESC);
