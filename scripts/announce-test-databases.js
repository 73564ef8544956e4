// One visible line before the suite: which database modes the tests will run against.
const url = process.env.TEST_DATABASE_URL;
if (url) {
  console.log(`test databases: embedded PGlite and the real server ${url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@')}`);
} else {
  console.log('test databases: embedded PGlite only; real-server tests SKIPPED because TEST_DATABASE_URL is not set (scripts/ensure-postgres.sh prints one)');
}
