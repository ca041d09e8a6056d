/**
 * A start (of the server or of the admin CLI) that cannot go on for a reason the operator can
 * put right: a bad variable, a port or a DATA_DIR taken, a database or Redis out of reach. It is
 * printed as its message alone, without a stack.
 */
export class StartError extends Error {}
