/** The candles node in the editor: the exchange rows show only for candles from an exchange. */
import { candlesSpec } from '../../nodes/tradebot-candles/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

export const candles = () =>
  fromSpec(candlesSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
    oneditprepare: function () {
      function showSource() {
        $('.tradebot-candles-exchange').toggle($('#node-input-source').val() !== 'ticks');
      }
      $('#node-input-source').on('change', showSource);
      showSource();
    },
  });
