-- What students told the chat about their studies (vrrec.Profile as JSON)
-- and their last visit (vrrec.Visit as JSON), one row per identity;
-- touched_at (unix milliseconds) is the latest change or visit, which
-- retention reads.
CREATE TABLE profiles (
    user_id    TEXT PRIMARY KEY,
    profile    TEXT NOT NULL DEFAULT '{}',
    visit      TEXT NOT NULL DEFAULT '{}',
    touched_at INTEGER NOT NULL
);
CREATE INDEX profiles_touched ON profiles (touched_at);

