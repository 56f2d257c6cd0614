-- The language model's use per UTC day (vrrec.LLMSpend), shared by every
-- instance for the daily budget.
CREATE TABLE llm_spend (
    day               TEXT PRIMARY KEY, -- YYYY-MM-DD
    calls             INTEGER NOT NULL,
    prompt_tokens     INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL
);
