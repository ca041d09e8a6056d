import { type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../db/schema';

// The scan rule and reported status of `scan-rule.ts`, written in SQL. Keep the two in step:
// `server/src/domain/pass-sql.test.ts` checks them against each other on random passes.

type PassExpressions = ExpressionBuilder<Database, 'passes'>;

function exhausted(eb: PassExpressions) {
  return eb.and([
    eb('passes.type', '=', 'multi'),
    eb('passes.max_usages', 'is not', null),
    eb('passes.usages_count', '>=', eb.ref('passes.max_usages') as never),
  ]);
}

/** True exactly when `evaluateScan(pass, now) === 'success'`. */
export function admissible(eb: PassExpressions, now: Date) {
  return eb.and([
    eb('passes.status', '=', 'active'),
    eb.or([eb('passes.valid_from', 'is', null), eb('passes.valid_from', '<=', now)]),
    eb.or([eb('passes.valid_until', 'is', null), eb('passes.valid_until', '>=', now)]),
    eb.not(exhausted(eb)),
  ]);
}

/** `reportedStatus(pass, now)` as a SQL expression, for the `status` filter. */
export function reportedStatusSql(eb: PassExpressions, now: Date) {
  return eb
    .case()
    .when('passes.status', '=', 'revoked')
    .then(sql.lit('revoked'))
    .when('passes.status', '=', 'used')
    .then(sql.lit('used'))
    .when(eb.and([eb('passes.valid_until', 'is not', null), eb('passes.valid_until', '<', now)]))
    .then(sql.lit('expired'))
    .when(exhausted(eb))
    .then(sql.lit('used'))
    .else(sql.lit('active'))
    .end();
}
