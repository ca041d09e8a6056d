/** The fields of a list-passes item, in the contract's order (`GET /passes`). */
export const PASS_LIST_ITEM_FIELDS = [
  'id',
  'code',
  'name',
  'type',
  'status',
  'usagesCount',
  'maxUsages',
  'validFrom',
  'validUntil',
  'client',
  'publicUrl',
  'createdAt',
] as const;
