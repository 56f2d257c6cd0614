-- The process running a job says it is alive; a job whose heartbeat stops
-- is interrupted by whichever instance notices.
ALTER TABLE jobs ADD COLUMN heartbeat_at INTEGER NOT NULL DEFAULT 0;
UPDATE jobs SET heartbeat_at = started_at;
