import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asyncApiDocument } from './asyncapi.js';

describe('asyncapi.json', () => {
  it('matches the schemas the services validate with (regenerate it when this fails)', () => {
    const file = JSON.parse(readFileSync(new URL('../asyncapi.json', import.meta.url), 'utf8')) as unknown;
    expect(file).toEqual(JSON.parse(JSON.stringify(asyncApiDocument())));
  });
});
