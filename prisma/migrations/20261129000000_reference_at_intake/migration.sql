-- A submit's reference is drawn when the command is accepted, so that the 202 answer
-- carries it, and the command keeps it for the worker that applies it. References come
-- from a sequence: no row for concurrent intakes to queue on, no commit of their own.
-- They stay unique and increasing, not gapless, and no longer restart at 1 each year: the
-- sequence starts above every number drawn so far, so no earlier reference repeats.
CREATE SEQUENCE "case_references" AS BIGINT;
SELECT setval('"case_references"', coalesce((SELECT max("last") FROM "reference_counters"), 0) + 1, false);
DROP TABLE "reference_counters";

-- CT-<year of the database clock>-<number, at least six digits>.
CREATE FUNCTION "casetrail_next_reference"() RETURNS TEXT
LANGUAGE sql VOLATILE AS $$
    SELECT 'CT-' || extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')::int || '-' || lpad(n::text, greatest(6, length(n::text)), '0')
    FROM (SELECT nextval('"case_references"') AS n) AS drawn
$$;

ALTER TABLE "commands" ADD COLUMN "reference" TEXT;

-- A role the application logs in as (see casetrail_grant_app_role) may draw from the new
-- sequence without waiting for the operator to run that function again.
DO $$
DECLARE
    grantee NAME;
BEGIN
    FOR grantee IN
        SELECT DISTINCT g.grantee FROM information_schema.role_table_grants g
        WHERE g.table_schema = current_schema() AND g.table_name = 'commands' AND g.privilege_type = 'INSERT'
          AND g.grantee NOT IN ('PUBLIC', current_user)
    LOOP
        EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %I TO %I', 'case_references', grantee);
    END LOOP;
END;
$$;
