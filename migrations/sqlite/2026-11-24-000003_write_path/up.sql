-- The PostgreSQL migration of this name makes the audit log's time index a BRIN index and
-- compresses stored responses with lz4; SQLite has neither, and keeps its B-tree.
SELECT 1;
