-- headline_days recounted under a lock. 0008 filled the table before it created the triggers
-- that keep it current, with nothing between to stop writers: rows committed in that window
-- were never counted, and a timeline's shares over their days stay too high for good.
-- SHARE mode waits for every writer in flight and admits no new one until commit, while the
-- triggers exist, so the recount is exact and stays so. Reads go on meanwhile.
lock table headlines in share mode;

delete from headline_days;

insert into headline_days (published_on, headlines)
select published_on, count(*)::integer from headlines group by published_on;
