/** The place order node in the editor: its spec, and a new node takes the flow's only exchange. */
import { placeOrderSpec } from '../../nodes/tradebot-place-order/spec';
import { fromSpec } from '../shared/definition';
import { adoptOnlyConfig } from '../shared/validators';

export const placeOrder = () =>
  fromSpec(placeOrderSpec, {
    onadd: function () {
      adoptOnlyConfig(this, ['exchange']);
    },
  });
