import { describe, expect, it } from 'vitest';
import { phoneLinkProblem } from './phone-links';

describe('phoneLinkProblem', () => {
  it('names a link to this computer itself, and plain http:// on a network', () => {
    for (const url of [
      'http://localhost:3000/scanner/#pair=x',
      'http://door.localhost:3000',
      'http://127.0.0.1:3000',
      'https://127.0.0.2',
      'http://[::1]:3000',
    ]) {
      expect(phoneLinkProblem(url), url).toEqual({
        loopback: true,
        words: expect.stringMatching(/the phone itself.*pnpm start --lan/),
      });
    }
    for (const url of ['http://192.168.1.5:3000', 'http://passes.example.com', 'http://10.0.0.2']) {
      expect(phoneLinkProblem(url), url).toEqual({
        loopback: false,
        words: expect.stringMatching(/plain http:\/\/.*no camera/),
      });
    }
  });

  it('has nothing to say of an https:// address phones can reach', () => {
    for (const url of ['https://passes.example.com', 'https://192.168.1.5:3000/scanner/']) {
      expect(phoneLinkProblem(url), url).toBeUndefined();
    }
  });
});
