// What the server and the scanner share without zod: the scan results and statuses, the scan
// rule, and reading a pass code out of what a QR holds. The scanner imports only this (and the
// client), so its bundle carries no schema library.
export * from './codes';
export * from './pass-code';
export * from './phone-links';
export * from './scan-rule';
export * from './signed-code';
