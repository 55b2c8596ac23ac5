DROP TRIGGER hour_totals_follow_event ON events;
DROP FUNCTION hour_totals_follow_event();
DROP TRIGGER hour_totals_follow_delete ON hour_entries;
DROP TRIGGER hour_totals_follow_update ON hour_entries;
DROP TRIGGER hour_totals_follow_insert ON hour_entries;
DROP FUNCTION hour_totals_follow();
DROP FUNCTION hour_totals_rebuild();
DROP TABLE hour_totals;
