import zapier from 'zapier-platform-core';
import packageJson from '../package.json';
import { authentication } from './authentication';
import { creates } from './creates';
import { explainRefusals, includeApiKey } from './http';
import { searches, searchOrCreates } from './searches';
import { hookTriggers, listTriggers } from './triggers';

/** Passgate's Zapier integration: the app definition Zapier's CLI pushes (`main`). */
const app = {
  version: packageJson.version,
  platformVersion: zapier.version,
  authentication,
  beforeRequest: [includeApiKey],
  afterResponse: [explainRefusals],
  triggers: { ...hookTriggers, ...listTriggers },
  creates,
  searches,
  searchOrCreates,
};

export default app;
