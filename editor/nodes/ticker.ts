/** The ticker node in the editor: its spec, and a new node takes the flow's only exchange. */
import { tickerSpec } from '../../nodes/tradebot-ticker/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

export const ticker = () =>
  fromSpec(tickerSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
  });
