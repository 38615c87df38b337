-- Quota tariffs (quotaTariffCreate ...): CloudStack's quota_tariff. An
-- update removes the current row and adds its successor under the same
-- name, so the history stays listable (listall, listonlyremoved).
CREATE TABLE quota_tariffs (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    description     TEXT,
    usage_type      INTEGER NOT NULL,
    currency_value  REAL NOT NULL DEFAULT 0,
    effective_on    TEXT NOT NULL,
    end_date        TEXT,
    position        INTEGER NOT NULL DEFAULT 1,
    updated_by      TEXT NOT NULL,
    removed         TEXT
);
CREATE INDEX quota_tariffs_name ON quota_tariffs(name, removed);
