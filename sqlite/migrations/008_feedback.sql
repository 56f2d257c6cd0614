-- How well each answer fit (the unmet-demand report reads them); rows
-- logged before have an empty topic and are not counted as unmet.
ALTER TABLE interactions ADD COLUMN topic TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN nothing_fits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interactions ADD COLUMN best_match INTEGER NOT NULL DEFAULT 0;

-- One vote per student, interaction and app ('' for the answer as a whole).
CREATE TABLE feedback (
    user_id        TEXT NOT NULL,
    interaction_id TEXT NOT NULL,
    app_id         TEXT NOT NULL,
    vote           TEXT NOT NULL,
    ts             INTEGER NOT NULL, -- unix milliseconds
    PRIMARY KEY (user_id, interaction_id, app_id)
);
CREATE INDEX feedback_ts ON feedback (ts);
CREATE INDEX feedback_interaction ON feedback (interaction_id);

-- Questions staff labeled from the log; info is the vrrec.LabeledQuery as JSON.
CREATE TABLE labeled_queries (
    query      TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL, -- unix milliseconds
    info       TEXT NOT NULL
);
