-- An assistant message keeps the interaction it was logged as, so a
-- restored conversation can show and take votes on its answers.
ALTER TABLE messages ADD COLUMN interaction_id TEXT NOT NULL DEFAULT '';
