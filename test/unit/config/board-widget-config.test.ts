import { describe, expect, it } from 'vitest';
import { parseBoardWidgetConfig } from '../../../functions/config/board-widget-config';

describe('parseBoardWidgetConfig', () => {
  it('has no table and no environment order by default', () => {
    expect(parseBoardWidgetConfig({})).toEqual({ environments: [] });
    expect(parseBoardWidgetConfig({ CHART_PROMOTER_LEDGER_TABLE: '' })).toEqual({ environments: [] });
  });

  it('reads the table and the environment order', () => {
    expect(
      parseBoardWidgetConfig({
        CHART_PROMOTER_LEDGER_TABLE: 'ChartPromoter-Ledger.v1',
        CHART_PROMOTER_BOARD_ENVIRONMENTS: 'dev, staging,prod',
      }),
    ).toEqual({ ledgerTable: 'ChartPromoter-Ledger.v1', environments: ['dev', 'staging', 'prod'] });
  });

  it.each([
    [{ CHART_PROMOTER_LEDGER_TABLE: 'a b' }, 'CHART_PROMOTER_LEDGER_TABLE: must be a DynamoDB table name'],
    [{ CHART_PROMOTER_LEDGER_TABLE: 'ab' }, 'CHART_PROMOTER_LEDGER_TABLE: must be a DynamoDB table name'],
    [
      { CHART_PROMOTER_BOARD_ENVIRONMENTS: 'dev,Prod' },
      'CHART_PROMOTER_BOARD_ENVIRONMENTS.1: each must be a DNS-1123 label',
    ],
  ])('refuses %j as CONFIG_INVALID', (env, message) => {
    expect(() => parseBoardWidgetConfig(env)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(message) }),
    );
  });
});
