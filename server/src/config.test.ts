import { describe, expect, it } from 'vitest';
import { isInsecureForPhones } from './config';

describe('isInsecureForPhones', () => {
  it('holds plain http:// insecure except on the device itself', () => {
    for (const url of ['http://192.168.1.5:3000', 'http://passes.example.com', 'http://10.0.0.2']) {
      expect(isInsecureForPhones(url), url).toBe(true);
    }
    for (const url of [
      'https://passes.example.com',
      'https://192.168.1.5',
      'http://localhost:3000',
      'http://door.localhost:3000',
      'http://127.0.0.1:3000',
      'http://[::1]:3000',
    ]) {
      expect(isInsecureForPhones(url), url).toBe(false);
    }
  });
});
