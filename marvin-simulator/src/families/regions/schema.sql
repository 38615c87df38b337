-- Regions (addRegion ...): CloudStack's `region` table. Region 1, "Local",
-- is this management server's own and exists from the start.
CREATE TABLE regions (
    id                         INTEGER PRIMARY KEY,   -- chosen by the caller
    name                       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    end_point                  TEXT NOT NULL,
    gslb_service_enabled       INTEGER NOT NULL DEFAULT 1,
    portableip_service_enabled INTEGER NOT NULL DEFAULT 0
);
INSERT INTO regions (id, name, end_point) VALUES (1, 'Local', 'http://localhost:8080/client/');
