/** The pairlist node in the editor: its spec, and a new node takes the flow's only exchange. */
import { pairlistSpec } from '../../nodes/tradebot-pairlist/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

export const pairlist = () =>
  fromSpec(pairlistSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
  });
