/**
 * `expect.poll` options for a key or tenant change to reach a server. The database's
 * notification arrives a few milliseconds after the commit, so a request sent at once may still
 * be served as before. Two seconds is far inside the minute a server keeps a caller, so a
 * notification that never arrives still fails the test.
 */
export const UNTIL_KEY_CHANGE_HEARD = { timeout: 2_000, interval: 20 };
