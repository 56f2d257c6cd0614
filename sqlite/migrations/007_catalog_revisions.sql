-- Kept catalogs: drafts staff have not published, and earlier catalogs
-- they may roll back to. info is the vrrec.Revision as JSON, catalog the
-- vrrec.Catalog as JSON.
CREATE TABLE catalog_revisions (
    version    TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL, -- unix milliseconds
    info       TEXT NOT NULL,
    catalog    TEXT NOT NULL
);
CREATE INDEX catalog_revisions_created ON catalog_revisions (created_at);
