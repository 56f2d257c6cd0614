-- The course of the page a question was asked on (the widget's
-- data-course, ?course=), and what of the student's own changed the answer
-- (a JSON array: "votes", "course"). Rows logged before have neither.
ALTER TABLE interactions ADD COLUMN course TEXT NOT NULL DEFAULT '';
ALTER TABLE interactions ADD COLUMN adjusted_by TEXT NOT NULL DEFAULT '[]';
CREATE INDEX interactions_course ON interactions (course, ts) WHERE course <> '';
