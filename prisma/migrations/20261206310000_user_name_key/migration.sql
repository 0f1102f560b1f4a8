-- A user name is unique by its key (hidden characters dropped, NFKC, case folded, whitespace
-- collapsed, look-alike characters mapped to one: see userNameKey in
-- src/domain/identifiers.ts), which the application writes beside it, so that CLERKA, сlerkA
-- (a Cyrillic с) and clerkA are one name. casetrail fills the keys of the users created
-- before when it migrates (fillIdentifierKeys); a name whose key an earlier user holds
-- keeps none and is named in its log.
ALTER TABLE "users" ADD COLUMN "name_key" TEXT;

CREATE UNIQUE INDEX "users_name_key_key" ON "users"("name_key");
