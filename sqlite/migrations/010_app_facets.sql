-- An app's price and facets (play modes, comfort, players, ...) live in its
-- data, the vrrec.VRApp as JSON, and load with it. These virtual columns read
-- them out for an operator at the sqlite3 prompt ("which apps have an unknown
-- price, and why?"); nothing is stored twice. Rows saved before facets
-- existed read as unknown.
ALTER TABLE apps ADD COLUMN price_kind TEXT GENERATED ALWAYS AS (coalesce(json_extract(data, '$.price.kind'), 'unknown')) VIRTUAL;
ALTER TABLE apps ADD COLUMN price_note TEXT GENERATED ALWAYS AS (coalesce(json_extract(data, '$.price.note'), '')) VIRTUAL;
ALTER TABLE apps ADD COLUMN facets TEXT GENERATED ALWAYS AS (coalesce(json_extract(data, '$.facets'), '{}')) VIRTUAL;
