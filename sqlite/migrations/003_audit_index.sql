CREATE INDEX audit_ts ON audit (ts DESC);
