import { listeningOrigin } from '../../src/http/origin.js';

describe('listeningOrigin', () => {
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:3000'],
    ['0.0.0.0', 'http://0.0.0.0:3000'],
    ['localhost', 'http://localhost:3000'],
    // A URL writes an IPv6 address in brackets: without them the port reads as part of the address.
    ['::1', 'http://[::1]:3000'],
    ['::', 'http://[::]:3000'],
  ])('writes the address %s as %s', (host, origin) => {
    expect(listeningOrigin(host, 3000)).toBe(origin);
  });
});
