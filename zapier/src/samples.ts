// What the Zap editor shows for each trigger until a real item exists: the shapes Passgate sends
// (`docs/webhooks.md`), with made-up values.

const createdAt = '2026-06-01T12:00:00.000Z';

export const passSample = {
  id: 'pass_V1StGXR8Z5jdHi6B',
  code: 'AbCd1234EfGh',
  name: 'VIP Guest',
  type: 'single',
  status: 'active',
  usagesCount: 0,
  maxUsages: null,
  validFrom: null,
  validUntil: '2026-12-31T23:59:59.000Z',
  locationId: null,
  templateId: null,
  client: { id: 'cli_3f9Kq2LmN8pR5sTu', name: 'John Doe', email: 'john@example.com' },
  publicUrl: 'https://passes.example.com/p/AbCd1234EfGh?token=tok_example',
  createdAt,
};

export const clientSample = {
  id: 'cli_3f9Kq2LmN8pR5sTu',
  name: 'John Doe',
  email: 'john@example.com',
  phone: '+15555550100',
  notes: null,
  createdAt,
};

const scanSample = {
  id: 'scan_Hx7Lm2Nq4Rt6Vw8Y',
  passId: passSample.id,
  code: passSample.code,
  name: passSample.name,
  type: 'single',
  result: 'success',
  success: true,
  usagesCount: 1,
  maxUsages: null,
  device: 'Front door',
  deviceId: 'dev_Ab3Cd5Ef7Gh9Ij1K',
  direction: 'entry',
  locationId: null,
  offline: false,
  conflict: null,
  scannedAt: '2026-06-01T19:30:00.000Z',
};

const locationSample = {
  id: 'loc_Qw2Er4Ty6Ui8Op0A',
  name: 'Main hall',
  address: '1 Harbour Road',
  timezone: 'Europe/Lisbon',
  capacity: 400,
  reentry: false,
  occupancy: 0,
  createdAt,
};

export const SAMPLES: Record<string, Record<string, unknown>> = {
  'pass.created': {
    ...passSample,
    clientName: 'John Doe',
    clientEmail: 'john@example.com',
    clientPhone: null,
  },
  'pass.scanned': scanSample,
  'scan.conflict': { ...scanSample, offline: true, conflict: 'already_used', usagesCount: 2 },
  'pass.scan_annulled': { ...scanSample, annulledAt: '2026-06-01T19:30:20.000Z' },
  'pass.status_changed': {
    ...passSample,
    id: 'evt_Zx9Cv7Bn5Mm3Kk1J',
    passId: passSample.id,
    status: 'revoked',
    from: 'active',
    to: 'revoked',
    changedAt: '2026-06-02T09:00:00.000Z',
  },
  'client.created': clientSample,
  'client.merged': {
    ...clientSample,
    id: 'evt_Pq8Rs6Tu4Vw2Xy0Z',
    clientId: clientSample.id,
    mergedId: 'cli_9Zy8Xw7Vu6Ts5Rq4',
    mergedName: 'john doe',
    passesMoved: 2,
  },
  'location.created': locationSample,
  'location.updated': {
    ...locationSample,
    id: 'evt_Lk3Jh5Gf7Ds9Aa1S',
    locationId: locationSample.id,
    capacity: 450,
  },
  'location.capacity_reached': {
    ...locationSample,
    id: 'evt_Mn4Bv6Cx8Zz0Qq2W',
    locationId: locationSample.id,
    occupancy: 400,
  },
  'pass.wallet_added': {
    id: 'evt_Wa1Ll2Ee3Tt4Aa5D',
    passId: passSample.id,
    code: passSample.code,
    name: passSample.name,
    wallet: 'apple',
    at: '2026-06-01T12:05:00.000Z',
  },
  'pass.wallet_removed': {
    id: 'evt_Wr6Ee7Mm8Oo9Vv0E',
    passId: passSample.id,
    code: passSample.code,
    name: passSample.name,
    wallet: 'apple',
    at: '2026-06-03T08:00:00.000Z',
  },
};
