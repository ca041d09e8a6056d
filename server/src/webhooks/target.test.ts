import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicAddressLookup, refuseTargetUrl, webhookDispatcher } from './target';

const lookup = (hostname: string, options: dns.LookupOptions) =>
  new Promise<unknown>((resolve, reject) =>
    publicAddressLookup(hostname, options, (error, address, family) =>
      error ? reject(error) : resolve(options.all ? address : { address, family }),
    ),
  );

describe('publicAddressLookup', () => {
  it('answers a public address in both of dns.lookup’s shapes', async () => {
    expect(await lookup('8.8.8.8', {})).toEqual({ address: '8.8.8.8', family: 4 });
    expect(await lookup('8.8.8.8', { all: true })).toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it('fails for a name that resolves to a loopback or private address', async () => {
    // The message never names the address: a tenant must not map the server's network.
    await expect(lookup('localhost', {})).rejects.toThrow(/^targetUrl is not a public address$/);
    await expect(lookup('10.1.2.3', { all: true })).rejects.toThrow(
      /^targetUrl is not a public address$/,
    );
  });
});

describe('refuseTargetUrl', () => {
  it('judges the URL alone: the scheme, credentials and an address written in it', () => {
    expect(refuseTargetUrl('http://example.com/hook', false)).toBe('targetUrl must use https://');
    expect(refuseTargetUrl('https://u:p@example.com/', false)).toMatch(/credentials/);
    expect(refuseTargetUrl('https://10.0.0.1/hook', false)).toBe(
      'targetUrl is not a public address',
    );
    expect(refuseTargetUrl('https://[::1]/hook', false)).toBe('targetUrl is not a public address');
    expect(refuseTargetUrl('https://8.8.8.8/hook', false)).toBeUndefined();
    expect(refuseTargetUrl('http://10.0.0.1/hook', true)).toBeUndefined();
  });

  it.each([
    'https://[::127.0.0.1]/',
    'https://[::7f00:1]/',
    'https://[::a9fe:a9fe]/',
    'https://[::10.0.0.1]/',
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:0:10.0.0.1]/',
    'https://[64:ff9b::127.0.0.1]/',
    'https://[2002:7f00:1::]/',
    'https://[::]/',
    'https://[fe80::1]/',
    'https://[fd00::1]/',
  ])('refuses %s, an IPv6 form of a non-public address', (url) => {
    expect(refuseTargetUrl(url, false)).toBe('targetUrl is not a public address');
  });

  it('takes a public IPv6 address, and a public IPv4 address written as IPv4-mapped', () => {
    expect(refuseTargetUrl('https://[2606:4700:4700::1111]/', false)).toBeUndefined();
    expect(refuseTargetUrl('https://[::ffff:8.8.8.8]/', false)).toBeUndefined();
  });

  it('looks no name up: its addresses are checked as the delivery connects', () => {
    expect(refuseTargetUrl('https://localhost/hook', false)).toBeUndefined();
  });
});

describe('webhookDispatcher', () => {
  let server: http.Server;
  let requests = 0;
  let port: number;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  // Whatever a host answered when it was checked, the connection looks it up again: this is the
  // lookup a rebinding host would answer with a private address.
  it('does not connect to a host that resolves to a private address at connect time', async () => {
    const dispatcher = webhookDispatcher(false);
    const error = await fetch(`http://localhost:${port}/`, { method: 'POST', dispatcher }).catch(
      (err: Error) => err,
    );
    await dispatcher.close();
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).cause)).toMatch(/targetUrl is not a public address$/);
    expect(requests).toBe(0);
  });

  it('connects to it where private targets are allowed (development and tests)', async () => {
    const dispatcher = webhookDispatcher(true);
    const res = await fetch(`http://localhost:${port}/`, { method: 'POST', dispatcher });
    expect(await res.text()).toBe('ok');
    await dispatcher.close();
    expect(requests).toBe(1);
  });
});
