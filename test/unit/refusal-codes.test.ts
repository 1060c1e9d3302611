import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFUSAL_CODES } from '../../functions/chart/refusal';
import { MOVE_REFUSAL_CODES } from '../../functions/promotion/moves/environment-move';
import { PROMOTION_REFUSAL_CODES } from '../../functions/promotion/promotion';
import { PROVENANCE_REFUSAL_CODES } from '../../functions/provenance/provenance-codes';

/**
 * Refusal codes are a contract (ARCHITECTURE.md, "Adding a refusal code"): every code the code can
 * answer is documented in the README, and a code means one thing wherever it is declared.
 */
const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

const lists = {
  'chart archives (chart/refusal.ts)': REFUSAL_CODES,
  'promotion planning (promotion/promotion.ts)': PROMOTION_REFUSAL_CODES,
  'provenance (provenance/provenance-codes.ts)': PROVENANCE_REFUSAL_CODES,
  'environment moves (promotion/moves/environment-move.ts)': MOVE_REFUSAL_CODES,
};

describe('refusal codes', () => {
  it.each(Object.entries(lists))('of %s are all in the README', (_list, codes) => {
    const missing = codes.filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('are stable upper-case names, unique within each list', () => {
    for (const codes of Object.values(lists)) {
      expect(new Set(codes).size).toBe(codes.length);
      for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    }
  });
});
