-- The catalog: replaced whole on every import, in one transaction.
CREATE TABLE catalog_meta (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    version    TEXT NOT NULL,
    updated_at INTEGER NOT NULL -- unix milliseconds
);
CREATE TABLE courses (
    course_id TEXT PRIMARY KEY,
    pos       INTEGER NOT NULL, -- order in the catalog
    data      TEXT NOT NULL     -- the course as JSON
);
CREATE TABLE apps (
    app_id   TEXT PRIMARY KEY,
    pos      INTEGER NOT NULL,
    category TEXT NOT NULL,
    data     TEXT NOT NULL
);
CREATE TABLE skills (
    name         TEXT PRIMARY KEY,
    pos          INTEGER NOT NULL,
    category     TEXT NOT NULL,
    source_count INTEGER NOT NULL,
    data         TEXT NOT NULL
);
CREATE TABLE mappings (
    source_type TEXT NOT NULL, -- course or app
    source_id   TEXT NOT NULL,
    skill_name  TEXT NOT NULL,
    weight      REAL NOT NULL,
    pos         INTEGER NOT NULL,
    PRIMARY KEY (source_type, source_id, skill_name)
);
CREATE INDEX mappings_skill ON mappings (skill_name);

-- Interactions, logged for staff.
CREATE TABLE interactions (
    id         TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL,
    session_id TEXT NOT NULL,
    query      TEXT NOT NULL,
    intent     TEXT NOT NULL,
    response   TEXT NOT NULL,
    apps       TEXT NOT NULL, -- JSON array of app ids
    latency_ms REAL NOT NULL,
    source     TEXT NOT NULL,
    ts         INTEGER NOT NULL -- unix milliseconds
);
CREATE INDEX interactions_user ON interactions (user_id, ts DESC);
CREATE INDEX interactions_ts ON interactions (ts DESC);
CREATE INDEX interactions_intent ON interactions (intent);

-- Chat sessions, one row per message.
CREATE TABLE messages (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    TEXT NOT NULL,
    session_id TEXT NOT NULL,
    role       TEXT NOT NULL,
    content    TEXT NOT NULL,
    intent     TEXT NOT NULL,
    apps       TEXT NOT NULL, -- JSON array of shown apps
    query      TEXT NOT NULL,
    ts         INTEGER NOT NULL
);
CREATE INDEX messages_session ON messages (user_id, session_id, seq);
CREATE INDEX messages_user ON messages (user_id, ts DESC);

-- Settings staff change at run time.
CREATE TABLE config (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
