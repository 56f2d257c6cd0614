-- What stays of interactions deleted by retention or a student's forget:
-- one row per UTC day, counts and latencies, no words and no ids
-- (vrrec.DaySummary).
CREATE TABLE interaction_days (
    day          TEXT PRIMARY KEY, -- YYYY-MM-DD
    interactions INTEGER NOT NULL,
    users        INTEGER NOT NULL,
    latencies    TEXT NOT NULL, -- JSON array of milliseconds, ascending
    intents      TEXT NOT NULL, -- JSON object intent -> count
    apps         TEXT NOT NULL  -- JSON object app id -> count
);

-- Students who asked to be forgotten, by vrrec.ForgottenKey: their
-- interactions timed up to forgotten_at are refused when a spool replays
-- them. Kept as long as interactions are.
CREATE TABLE forgotten_users (
    user_key     TEXT PRIMARY KEY,
    forgotten_at INTEGER NOT NULL -- unix milliseconds
);
