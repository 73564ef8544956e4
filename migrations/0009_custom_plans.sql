-- semantic_search's statements are planned for each call's own values. plpgsql keeps a
-- statement's plan, and after five calls switches to a generic one (planned without the
-- values) when that looks no dearer than the custom plans so far. A session whose earlier
-- calls scanned wide ranges exactly (an analyst's exact answers, the tail of a deep page)
-- makes every custom plan look dear, and then reads a one-day range through a plan made
-- for any range, ten times slower. Planning the few statements of a call costs far less.
alter function semantic_search(halfvec, integer, date, date) set plan_cache_mode = force_custom_plan;
