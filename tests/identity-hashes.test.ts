/**
 * The hashes of identity are stored (ids, keys, body hashes): a faster way to compute them must
 * give the same hex, or every held story would look new or edited. Values from the first release.
 */
import { describe, expect, it } from 'vitest';
import { bodyHash, leadKey, storyKey } from '../src/identity/index.js';

describe('identity hashes', () => {
  it('give the hex they always gave', () => {
    expect(storyKey("Trump: 'NAVO sterker'")).toBe('336c396391dee13e83b5370924c96baa');
    expect(leadKey('Gent', 'De haven is dicht')).toBe('dac3dd4816d7b0bd210c54319b171fe8');
    expect(bodyHash(['Een regel.'])).toBe('aef8a8e921e25c5b9f497d934c331496');
  });

  it('hash a body with runs of white space, tabs, no-break spaces and compatibility characters as its plain form', () => {
    const plain = bodyHash(['GENT (ANP) - De haven is dicht.', 'Tweede alinea met fi.']);
    expect(plain).toBe('9b1631cb0ba7c6cd290c10ff39496694');
    expect(bodyHash(['GENT (ANP) - De  haven\tis dicht.', 'Tweede\u00a0alinea met \ufb01.  '])).toBe(plain);
    expect(bodyHash(['GENT (ANP) - De haven is\ndicht.', ' Tweede alinea met fi.'])).toBe(plain);
    expect(bodyHash(['GENT (ANP) - De haven is dicht.', 'Tweede alinea metfi.'])).not.toBe(plain);
  });
});
