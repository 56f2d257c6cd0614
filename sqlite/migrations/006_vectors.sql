-- Embeddings of catalog texts by model and text hash (vrrec.TextKey), as
-- little-endian float32.
CREATE TABLE vectors (
    model TEXT NOT NULL,
    key   TEXT NOT NULL,
    vec   BLOB NOT NULL,
    PRIMARY KEY (model, key)
) WITHOUT ROWID;
