import { describe, expect, it } from 'vitest';
import { ruleText } from '../../src/services/persona-drivers.ts';

const part = (feature: string, operator: '>' | '<=' | '=', value: number | string) => ({
  text: `${feature} ${operator === '>' ? 'above' : operator === '<=' ? 'at most' : 'is'} ${value}`,
  condition: { feature, operator, value },
});

describe('ruleText', () => {
  it('joins conditions on different features with "and"', () => {
    expect(ruleText([part('tenure', '<=', 38), part('MonthlyCharges', '>', 57)])).toBe('tenure at most 38 and MonthlyCharges above 57');
  });

  it('writes a lower and an upper bound on one feature as a range, wherever they stand', () => {
    expect(ruleText([part('TotalCharges', '<=', 3300), part('TotalCharges', '>', 68)])).toBe('total charges between 68 and 3,300');
    expect(ruleText([part('Contract', '=', 'Two year'), part('tenure', '>', 12), part('tenure', '<=', 40)])).toBe('Contract is Two year and tenure between 12 and 40');
  });
});
