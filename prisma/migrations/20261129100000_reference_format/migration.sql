-- The reference format gets one definition, which the intake statement calls too.
-- CT-<year of the database clock>-<number, at least six digits>. A single expression, so
-- PostgreSQL inlines it where it is called with a plain value (the intake statement).
CREATE FUNCTION "casetrail_format_reference"("n" BIGINT) RETURNS TEXT
LANGUAGE sql STABLE AS $$
    SELECT 'CT-' || extract(year FROM statement_timestamp() AT TIME ZONE 'UTC')::int || '-' || lpad(n::text, greatest(6, length(n::text)), '0')
$$;

-- The next reference: for a submit stored without one.
CREATE OR REPLACE FUNCTION "casetrail_next_reference"() RETURNS TEXT
LANGUAGE sql VOLATILE AS $$
    SELECT "casetrail_format_reference"(nextval('"case_references"'))
$$;
