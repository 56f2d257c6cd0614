-- Data-management jobs, one running at a time.
CREATE TABLE jobs (
    id          TEXT PRIMARY KEY,
    type        TEXT NOT NULL,
    state       TEXT NOT NULL,
    params      TEXT NOT NULL, -- JSON object
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_started ON jobs (started_at DESC);
-- At most one running job: the partial unique index refuses a second.
CREATE UNIQUE INDEX jobs_one_running ON jobs (state) WHERE state = 'running';

CREATE TABLE job_logs (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    job_id TEXT NOT NULL REFERENCES jobs (id),
    line   TEXT NOT NULL,
    ts     INTEGER NOT NULL
);
CREATE INDEX job_logs_job ON job_logs (job_id, seq);

-- What staff did.
CREATE TABLE audit (
    seq    INTEGER PRIMARY KEY AUTOINCREMENT,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    ip     TEXT NOT NULL,
    ts     INTEGER NOT NULL
);
