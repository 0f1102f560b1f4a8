-- A phrase the trigram index cannot find quickly (docs/design.md §11, "How a search pages"):
-- its words are frequent while the phrase is rare, and a trigram says nothing of which word
-- follows which, so every case holding the words would be read to find the few holding the
-- phrase. The adjacent word pairs of each search text, indexed, answer it: a phrase of four
-- words or more has pairs of whole words (neither first nor last, which may be cut), and a
-- case holding the phrase holds those pairs. Words are what single spaces separate in the
-- folded text, as in the phrase searched (its words joined by one space): a phrase found in
-- a text has each inner word between two spaces there too. A pair is kept as a 32-bit hash
-- (hashtext): the index compares integers, not text (which a GIN build spends its time on),
-- and a collision only adds a candidate the phrase itself then rejects. hashtext is stable
-- within a major version of PostgreSQL: after an upgrade that changed it, REINDEX
-- case_search_pairs_idx.
CREATE FUNCTION casetrail_word_pairs(folded text) RETURNS int[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT coalesce(array_agg(DISTINCT hashtext(w.t || ' ' || w.n)), '{}') FROM (
      SELECT t, lead(t) OVER (ORDER BY i) AS n
        FROM unnest(string_to_array(folded, ' ')) WITH ORDINALITY AS u(t, i)) w
     WHERE w.t <> '' AND w.n <> ''
  $$;

-- The pairs of whole words of a searched phrase: a phrase's first and last words may be the
-- end and the start of longer words, so only pairs between them count.
CREATE FUNCTION casetrail_phrase_pairs(folded text) RETURNS int[]
  LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
  AS $$
    SELECT coalesce(array_agg(DISTINCT hashtext(w.t || ' ' || w.n)), '{}') FROM (
      SELECT t, i, lead(t) OVER (ORDER BY i) AS n, count(*) OVER () AS k
        FROM unnest(string_to_array(folded, ' ')) WITH ORDINALITY AS u(t, i)) w
     WHERE w.i >= 2 AND w.i + 1 <= w.k - 1 AND w.t <> '' AND w.n <> ''
  $$;

-- An expression index (schema.prisma cannot state one: see the CaseSearch model).
CREATE INDEX "case_search_pairs_idx" ON "case_search" USING GIN (casetrail_word_pairs("body"));
