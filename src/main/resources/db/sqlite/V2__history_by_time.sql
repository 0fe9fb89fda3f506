-- The history is pruned by age (the configuration's history: how long it is kept): an index on
-- the time of each entry makes that a range, not a scan of every entry ever recorded.
CREATE INDEX history_by_time ON history (at);
