-- Staff accounts: local sign-in (argon2id) or single sign-on.
CREATE TABLE staff (
    id                  TEXT PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL,
    role                TEXT NOT NULL,
    password_hash       TEXT NOT NULL DEFAULT '',
    sso                 INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    last_sign_in        INTEGER NOT NULL DEFAULT 0,
    disabled            INTEGER NOT NULL DEFAULT 0,
    sessions_not_before INTEGER NOT NULL DEFAULT 0
);

-- The audit trail is filtered by person and by action.
CREATE INDEX audit_actor ON audit (actor, ts DESC);
CREATE INDEX audit_action ON audit (action, ts DESC);
