-- Commands that touch only their own case are applied without a transaction around them:
-- read, decide, then one guarded write statement (see writeTransitions). When a guard finds
-- that another writer got there first, the statement calls this function, which aborts it
-- (nothing of it is kept) with a serialization failure, and the command is applied again
-- under locks.
CREATE FUNCTION "casetrail_write_conflict"("detail" TEXT) RETURNS INTEGER
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'write conflict: %', "detail" USING ERRCODE = 'serialization_failure';
END;
$$;
