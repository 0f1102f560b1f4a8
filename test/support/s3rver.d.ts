// s3rver ships no types; test/support/s3-server.ts types what it uses.
declare module 's3rver';
