-- The exchanges that ended abnormally, by outcome: the task list's
-- outcome= and status=interrupted filters start from them, so finding the
-- few tasks an agent broke never walks every task. Partial, so the common
-- completed exchange costs nothing more to write.
CREATE INDEX exchanges_by_outcome ON exchanges (outcome) WHERE outcome NOT IN ('', 'completed');
