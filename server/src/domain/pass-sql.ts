import { type Expression, type ExpressionBuilder, sql } from 'kysely';
import type { Database } from '../db/schema';

// The scan rule, reported status, admit and unadmit of `shared/src/core/scan-rule.ts`, written in
// SQL. Keep the two in step: `server/src/domain/pass-sql.test.ts` checks them against each other
// on random passes.

type PassExpressions = ExpressionBuilder<Database, 'passes'>;
// Constants are SQL literals, not parameters: the only parameter is `now`, and none at all when it
// is an expression, so that a statement built from these can be prepared once.
const status = (value: 'active' | 'used' | 'revoked') => sql.lit(value);
/** The instant of the question: a Date (sent as a parameter), or an expression in a statement. */
type Instant = Date | Expression<Date>;

function exhausted(eb: PassExpressions) {
  return eb.and([
    eb('passes.type', '=', sql.lit('multi')),
    eb('passes.max_usages', 'is not', null),
    eb('passes.usages_count', '>=', eb.ref('passes.max_usages') as never),
  ]);
}

/** A `ScanPlace` as SQL expressions: the scan's location, direction, presence and reentry. */
export interface PlaceSql {
  locationId: Expression<string | null>;
  direction: Expression<string>;
  inside: Expression<boolean | null>;
  reentry: Expression<boolean>;
}

/** `isReentry(place)` in SQL. */
export const isReentrySql = (place: PlaceSql) =>
  sql<boolean>`(${place.direction} = 'entry' AND ${place.reentry} AND ${place.inside} IS FALSE)`;

/**
 * `evaluateScan(pass, now, place)` as a SQL expression: the reason a scan at `now` would be
 * refused, or 'success'. Without `place`, an entry anywhere.
 */
export function scanResultSql(eb: PassExpressions, now: Instant, place?: PlaceSql) {
  const revoked = eb.case().when('passes.status', '=', status('revoked')).then(sql.lit('revoked'));
  if (!place) {
    return revoked
      .when('passes.status', '=', status('used'))
      .then(sql.lit('already_used'))
      .when(validFromAhead(eb, now))
      .then(sql.lit('not_yet_valid'))
      .when(validUntilPast(eb, now))
      .then(sql.lit('expired'))
      .when(exhausted(eb))
      .then(sql.lit('max_usages_reached'))
      .else(sql.lit('success'))
      .end();
  }
  const reentry = isReentrySql(place);
  return revoked
    .when(
      sql<boolean>`passes.location_id IS NOT NULL AND ${place.locationId} IS NOT NULL
        AND passes.location_id <> ${place.locationId}`,
    )
    .then(sql.lit('wrong_location'))
    .when(sql<boolean>`${place.direction} = 'exit'`)
    .then(sql.lit('success'))
    .when(eb.and([eb('passes.status', '=', status('used')), eb.not(reentry)]))
    .then(sql.lit('already_used'))
    .when(validFromAhead(eb, now))
    .then(sql.lit('not_yet_valid'))
    .when(validUntilPast(eb, now))
    .then(sql.lit('expired'))
    .when(eb.and([exhausted(eb), eb.not(reentry)]))
    .then(sql.lit('max_usages_reached'))
    .else(sql.lit('success'))
    .end();
}

const validFromAhead = (eb: PassExpressions, now: Instant) =>
  eb.and([eb('passes.valid_from', 'is not', null), eb('passes.valid_from', '>', now)]);
const validUntilPast = (eb: PassExpressions, now: Instant) =>
  eb.and([eb('passes.valid_until', 'is not', null), eb('passes.valid_until', '<', now)]);

/** `reportedStatus(pass, now)` as a SQL expression, for the `status` filter. */
export function reportedStatusSql(eb: PassExpressions, now: Instant) {
  return eb
    .case()
    .when('passes.status', '=', status('revoked'))
    .then(sql.lit('revoked'))
    .when('passes.status', '=', status('used'))
    .then(sql.lit('used'))
    .when(validUntilPast(eb, now))
    .then(sql.lit('expired'))
    .when(exhausted(eb))
    .then(sql.lit('used'))
    .else(sql.lit('active'))
    .end();
}

/**
 * `reportedStatus(pass, now) = reported` as a SQL condition led by the stored status, so that the
 * status filter reads a tenant's passes of that stored status through an index.
 */
export function hasReportedStatusSql(
  eb: PassExpressions,
  reported: 'active' | 'used' | 'revoked' | 'expired',
  now: Instant,
) {
  const activeRow = eb('passes.status', '=', status('active'));
  const past = validUntilPast(eb, now);
  switch (reported) {
    case 'revoked':
      return eb('passes.status', '=', status('revoked'));
    case 'expired':
      return eb.and([activeRow, past]);
    case 'used':
      return eb.or([
        eb('passes.status', '=', status('used')),
        eb.and([activeRow, eb.not(past), exhausted(eb)]),
      ]);
    case 'active':
      return eb.and([activeRow, eb.not(past), eb.not(exhausted(eb))]);
  }
}

/**
 * `admit(pass)` as SQL: what an admit sets on the row `passes`, one more use and a single pass
 * spent. Literals only, so a statement holding it can be prepared once.
 */
export const admitSql = {
  usages_count: sql<number>`passes.usages_count + 1`,
  status: sql<
    'active' | 'used' | 'revoked'
  >`CASE WHEN passes.type = 'single' THEN 'used' ELSE passes.status END`,
};

/** `unadmit(pass)` as SQL: what undoing an admit sets on the row `passes`. */
export const unadmitSql = {
  usages_count: sql<number>`greatest(passes.usages_count - 1, 0)`,
  status: sql<
    'active' | 'used' | 'revoked'
  >`CASE WHEN passes.type = 'single' AND passes.status = 'used' THEN 'active' ELSE passes.status END`,
};
