import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('fills every setting with its default from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: null,
      authDisabled: false,
      bodyLimitBytes: 1024 * 1024,
      uploadLimitBytes: 64 * 1024 * 1024,
      rateLimit: { enabled: true, max: 6000, windowMs: 60_000 },
      demoOnEmpty: true,
      defaultModel: null,
    });
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('reads booleans written as true/false, 1/0 and yes/no', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true' }).authDisabled).toBe(true);
    expect(loadConfig({ AUTH_DISABLED: '1' }).authDisabled).toBe(true);
    expect(loadConfig({ AUTH_DISABLED: 'no' }).authDisabled).toBe(false);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ databaseUrl: null, port: 3000 });
  });

  it('names every invalid variable and why, without echoing secret values', () => {
    const secret = 'mysql://root:hunter2@db/x';
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: secret, AUTH_DISABLED: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['AUTH_DISABLED', 'DATABASE_URL', 'PORT']);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
