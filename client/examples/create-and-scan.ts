import { createPassgateClient } from '@passgate/client';

const passgate = createPassgateClient({
  baseUrl: process.env.PASSGATE_URL ?? 'http://localhost:3000',
  apiKey: process.env.PASSGATE_API_KEY,
});

// Issue a single-use ticket…
const { data: pass, error } = await passgate.POST('/passes', {
  body: {
    type: 'single',
    name: 'Ana Lima',
    customFields: [{ key: 'Seat', value: 'B12', isPublic: true }],
  },
});
if (error) throw new Error(`Could not create the pass: ${error.error}`);
console.log(`Created ${pass.code}: ${pass.publicUrl}`);

// …and scan it twice at the door: the first admits, the second is refused.
for (const attempt of [1, 2]) {
  const { data: scan } = await passgate.POST('/scan', { body: { code: pass.code } });
  console.log(`Scan ${attempt}: ${scan?.success ? 'admitted' : `refused (${scan?.result})`}`);
}
