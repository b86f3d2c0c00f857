/**
 * tradebot-backtest (palette: backtest): runs the flow over the history of its exchange node (in
 * backtest mode) on a virtual clock, one candle at a time, each handed over only when the flow
 * has finished with the one before; sends the report. Glue only: core/backtest replays.
 */
import { FlowIdle } from '../shared/flow-idle';
import { instrument } from '../shared/instrument';
import { sessionOf } from '../shared/exchange-node';
import { statusFor } from '../shared/status';
import type { DoneFn, Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';

type BacktestNodeDef = NodeDef & { exchange: string };

export = function register(RED: NodeAPI): void {
  function TradebotBacktestNode(this: Node, config: BacktestNodeDef) {
    RED.nodes.createNode(this, config);
    instrument(this);
    const node = this;
    const { session, error } = sessionOf(RED, config.exchange);
    const tracker = new FlowIdle(RED, node.id);
    if (error) node.status(statusFor('error', error.message));
    else if (session!.mode !== 'backtest') node.status(statusFor('error', 'the exchange node is not in backtest mode'));
    else node.status({ fill: 'grey', shape: 'ring', text: 'ready: send a message to run' });
    let running = false;

    node.on('input', (msg: NodeMessageInFlow & Record<string, any>, send: SendFn, done: DoneFn) => {
      (async () => {
        if (error) throw error;
        if (!tracker.available) throw new Error('this Node-RED has no messaging hooks (needs Node-RED 2 or newer)');
        if (running) throw new Error('a backtest is already running');
        running = true;
        const started = Date.now();
        let last = 0;
        const account = await session!.account();
        // This node's own input message is in flight until the run ends: it does not count.
        const baseline = tracker.count;
        const report = await session!.runBacktest(
          () => tracker.idle(() => account.flush(), baseline),
          (n, total) => {
            if (Date.now() - last < 500) return;
            last = Date.now();
            node.status({ fill: 'blue', shape: 'dot', text: `running: ${n}/${total} candles` });
          },
        );
        const seconds = (Date.now() - started) / 1000;
        node.status({ fill: 'green', shape: 'dot', text: `done: ${report.trades.length} trades, return ${(100 * report.totalReturn).toFixed(2)} %, ${Math.round(report.candles / Math.max(seconds, 0.001))} candles/s` });
        send({ ...msg, topic: 'backtest', payload: { kind: 'backtestReport', ...report } });
      })().then(
        () => done(),
        (err) => {
          node.status(statusFor('error', String((err as Error).message).slice(0, 60)));
          done(err as Error);
        },
      ).finally(() => (running = false));
    });
    node.on('close', () => tracker.close());
  }
  RED.nodes.registerType('tradebot-backtest', TradebotBacktestNode as any);

  // The editor's button: like the inject node's, it sends the node a message.
  RED.httpAdmin.post('/tradebot/backtest/:id', RED.auth.needsPermission('tradebot-backtest.write'), (req, res) => {
    const node = RED.nodes.getNode(String(req.params.id));
    if (!node) return res.sendStatus(404);
    (node as unknown as { receive(msg: object): void }).receive({ payload: Date.now() });
    res.sendStatus(200);
  });
};
