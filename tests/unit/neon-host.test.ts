import { describe, expect, it } from 'vitest';
import isNeonHost from '../../lib/db/neon-host.cjs';

describe('isNeonHost (the driver rule of both the build and the runtime)', () => {
  it("takes Neon's hosts, pooled or not, and nothing else", () => {
    expect(isNeonHost('postgres://u:p@ep-x-pooler.us-east-2.aws.neon.tech/db?sslmode=require')).toBe(true);
    expect(isNeonHost('postgres://u:p@ep-x.eu-central-1.aws.neon.build/db')).toBe(true);
    expect(isNeonHost('postgres://u:p@db.example.com/leads')).toBe(false);
    expect(isNeonHost('postgres://u:p@neon.tech.example.com/leads')).toBe(false);
    expect(isNeonHost('postgres://u:p@127.0.0.1:5432/leads')).toBe(false);
    expect(isNeonHost('not a url')).toBe(false);
    expect(isNeonHost('')).toBe(false);
  });
});
