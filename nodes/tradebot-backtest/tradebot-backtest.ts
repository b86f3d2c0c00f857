/**
 * tradebot-backtest (palette: backtest): runs the flow over the history of its exchange node (in
 * backtest mode) on a virtual clock, one candle at a time, each handed over only when the flow
 * has finished with the one before; sends the report. Glue only: core/backtest replays.
 *
 * The last report of each node is kept in memory and served on the admin server (behind its
 * auth, permission tradebot-backtest.read) as a page with the metrics, a chart of the price with
 * the fills and of the equity (lightweight-charts, served from the admin server too), and the
 * trade list: GET tradebot/backtest/<id>/report (and report.json).
 */
import { ConfigError } from '../../core/errors';
import path from 'node:path';
import type { BacktestReport } from '../../core/backtest';
import type { OhlcvRow } from '../../core/contract';
import { timeframeToMs } from '../../core/timeframe';
import { ValidationError } from '../../core/errors';
import { CompiledFlow, CompileError } from '../../core/backtest/compiled/compiled-flow';
import { planFlow, type FlowNodeConfig } from '../../core/backtest/compiled/flow-plan';
import { engineTag, type BacktestEngine } from '../../core/backtest/compiled/engine';
import { FlowIdle } from '../shared/flow-idle';
import type { OptimiseReport } from '../../core/optimise/optimise-report';
import { deployedNodes, finishedText, progressText, startOptimisation, sweepOf, type OptimiseHandle } from './optimise-glue';
import { lightweightChartsFile, serveScripts, tokenQuery } from '../shared/admin-page';
import { registerTradebotNode } from '../shared/node-harness';
import { reportNodeError } from '../shared/instrument';
import { redact, redactDeep } from '../../core/secrets';
import { statusFor } from '../shared/status';
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow, SendFn } from '../shared/types';
import { registerOptimiseEditorRoutes } from './optimise-routes';
import { renderOptimisePage } from './optimise-page';
import { buildChartData, dataSummary, renderReportPage, reportJson, reportSummary, type StoredRun } from './report-data';

type BacktestNodeDef = NodeDef & { exchange: string; engine?: string; optimise?: unknown };

export = function register(RED: NodeAPI): void {
  /** The last run of each backtest node (by node id); kept over redeploys, dropped when the node is deleted. */
  const lastRuns = new Map<string, StoredRun>();
  /** The last optimisation of each backtest node (running or finished), for the results page. */
  const lastOptimisations = new Map<string, OptimiseReport>();
  /** What the admin routes need of a deployed backtest node's optimisation. */
  const optimiseControls = new Map<string, { busy(): boolean; cancel(): boolean; check(sweep: unknown): void }>();

  // A bad setting leaves the node in the flow, red, reporting the reason once and dropping messages quietly (shared/node-harness.ts).
  registerTradebotNode<BacktestNodeDef>(RED, 'tradebot-backtest', (kit, config) => {
    const { node } = kit;
    const session = kit.exchange(config.exchange);
    if (session.mode !== 'backtest') throw new ConfigError('exchange: the exchange node is not in backtest mode', 'exchange');
    const tracker = new FlowIdle(RED, node.id);
    node.status({ fill: 'grey', shape: 'ring', text: 'ready: send a message to run' });
    let running = false;
    let optimising: OptimiseHandle | undefined;
    const status = kit.status;
    optimiseControls.set(node.id, {
      busy: () => running || optimising !== undefined,
      cancel: () => (optimising ? (optimising.optimisation.cancel(), true) : false),
      check: (sweep) => void sweepOf(sweep, config.optimise, deployedNodes(RED), 'body'),
    });

    /** msg.optimise: an optimisation of the flow's parameters (docs/optimise.md). */
    async function optimise(msg: NodeMessageInFlow & Record<string, any>, send: SendFn): Promise<void> {
      if (running || optimising) throw new Error('a backtest or an optimisation is already running: wait for it, or cancel it (msg.topic "cancel")');
      const nodes = deployedNodes(RED);
      const sweep = sweepOf(msg.optimise, config.optimise, nodes);
      const handle = await startOptimisation(RED, node, config.exchange, session, sweep, nodes, (report) => {
        status.update(() => ({ fill: 'blue', shape: 'dot', text: progressText(report) }));
      });
      optimising = handle;
      lastOptimisations.set(node.id, handle.optimisation.report);
      status.now({ fill: 'blue', shape: 'dot', text: progressText(handle.optimisation.report) });
      let report: OptimiseReport;
      try {
        report = await handle.done;
      } finally {
        optimising = undefined;
      }
      status.now({ fill: report.state === 'done' ? 'green' : report.state === 'canceled' ? 'yellow' : 'red', shape: 'dot', text: finishedText(report).slice(0, 120) });
      send({ ...msg, topic: 'optimise', payload: structuredClone(report) });
      if (report.state === 'failed') throw new Error(`the optimisation failed: ${report.error}`);
    }

    kit.onInput(async (msg, send) => {
      try {
        if (msg.topic === 'cancel') {
          if (!optimising) throw new ValidationError('msg.topic "cancel": no optimisation is running on this node');
          optimising.optimisation.cancel();
          return;
        }
        if (msg.optimise !== undefined) return await optimise(msg, send);
        if (!tracker.available) throw new Error('this Node-RED has no messaging hooks (needs Node-RED 2 or newer)');
        if (running || optimising) throw new Error(optimising ? 'an optimisation is running: wait for it, or cancel it (msg.topic "cancel")' : 'a backtest is already running');
        running = true;
        const started = Date.now();
        let last = 0;
        const account = await session.account();
        const { flow, engine } = await chooseEngine();
        node.status({ fill: 'blue', shape: 'dot', text: `running${engineTag(engine)}`.slice(0, 120) });
        // Counting starts now: this node's own input message was delivered before, so it does not count.
        tracker.start();
        let report: BacktestReport & { engine?: BacktestEngine };
        // Made once: the replay waits for the flow after every candle.
        const pending = () => (account.settled ? undefined : account.flush());
        try {
          report = await session.runBacktest(
            () => tracker.idle(pending),
            (n, total) => {
              // Progress is asked for every candle: the wall clock is read only every 1024th.
              if ((n & 1023) !== 0 || Date.now() - last < 500) return;
              last = Date.now();
              node.status({ fill: 'blue', shape: 'dot', text: `running${engineTag(engine)}: ${n}/${total} candles`.slice(0, 120) });
            },
            flow,
          );
        } finally {
          tracker.stop();
        }
        report = { ...report, engine };
        const seconds = (Date.now() - started) / 1000;
        try {
          // A copy: nodes downstream get the message's arrays and may change them.
          lastRuns.set(node.id, await storedRun(structuredClone(report), seconds));
        } catch (err) {
          node.warn(`the report page of this run is not available: ${(err as Error).message}`);
        }
        // Data the checks dropped or changed is part of the result: a yellow dot says the data was not clean.
        const dataNote = dataSummary(report.dataChecks ?? []);
        node.status({
          fill: dataNote ? 'yellow' : 'green',
          shape: 'dot',
          text: `done${engineTag(engine)}: ${report.trades.length} trades, return ${(100 * report.totalReturn).toFixed(2)} %, ${Math.round(report.candles / Math.max(seconds, 0.001))} candles/s${dataNote ? `; data: ${dataNote}` : ''}`.slice(0, 200),
        });
        send({ ...msg, topic: 'backtest', payload: { kind: 'backtestReport', ...report } });
      } catch (err) {
        // The status shows what done(err) reports: redacted by the harness, with the session's credentials too.
        node.status(statusFor('error', kit.nodeError(err).message.slice(0, 60)));
        throw err;
      } finally {
        running = false;
      }
    });
    node.on('close', () => {
      tracker.close();
      optimising?.optimisation.cancel();
      optimiseControls.delete(node.id);
    });
    node.on('close', (removed: boolean, closed: () => void) => {
      if (removed) {
        lastRuns.delete(node.id);
        lastOptimisations.delete(node.id);
      }
      closed();
    });

    /**
     * The fast path when the flow's trading path compiles (and the setting allows it), else the
     * Node-RED path with the reason (docs/backtest.md, "The fast path").
     */
    async function chooseEngine(): Promise<{ flow?: CompiledFlow; engine: BacktestEngine }> {
      if (config.engine === 'flow') return { engine: { path: 'flow', reason: 'the node\'s Engine setting is "Node-RED"' } };
      const nodes: FlowNodeConfig[] = [];
      RED.nodes.eachNode((n: object) => nodes.push(n as FlowNodeConfig));
      const outcome = planFlow(nodes, config.exchange, session.settings.backtestTimeframe);
      if ('refused' in outcome) return { engine: { path: 'flow', reason: outcome.refused.reason, ...(outcome.refused.node ? { node: outcome.refused.node } : {}) } };
      try {
        const flow = await CompiledFlow.build(outcome.plan, await session.compiledContext(), (id, err, msg) => {
          // The deployed node reports the error: a Catch node on the flow sees it, as on the Node-RED path.
          const text = session.redact(err.message);
          const target = RED.nodes.getNode(id) as Node | null;
          if (target) reportNodeError(target, err, text, msg);
          else node.warn(text);
        });
        return { flow, engine: { path: 'fast' } };
      } catch (err) {
        if (!(err instanceof CompileError)) throw err;
        return { engine: { path: 'flow', reason: err.message, node: err.node } };
      }
    }

    /** What the report page needs of a run: the report, and the replayed prices downsampled for the chart. */
    async function storedRun(report: BacktestReport, seconds: number): Promise<StoredRun> {
      const s = session.settings;
      const source = (await session.source()) as Partial<{ series: Record<string, OhlcvRow[]>; timeframe: string }>;
      const series = source.series ?? {};
      const timeframe = source.timeframe ?? s.backtestTimeframe;
      return {
        node: { id: node.id, name: config.name ?? '' },
        exchange: (RED.nodes.getNode(config.exchange) as { name?: string } | null)?.name || session.exchangeName,
        currency: s.reportCurrency,
        timeframe,
        feeRate: s.feeRate,
        slippage: s.slippage,
        ranAt: new Date().toISOString(),
        seconds,
        report,
        chart: buildChartData(report, series, timeframe, timeframeToMs(timeframe)),
      };
    }
  });

  // The editor's button: like the inject node's, it sends the node a message.
  RED.httpAdmin.post('/tradebot/backtest/:id', RED.auth.needsPermission('tradebot-backtest.write'), (req, res) => {
    const node = RED.nodes.getNode(String(req.params.id));
    if (!node) return res.sendStatus(404);
    (node as unknown as { receive(msg: object): void }).receive({ payload: Date.now() });
    res.sendStatus(200);
  });

  // The optimisation: started and canceled from the editor's Optimise tab; its report as JSON.
  const write = RED.auth.needsPermission('tradebot-backtest.write');
  RED.httpAdmin.post('/tradebot/backtest/:id/optimise', write, (req, res) => {
    const id = String(req.params.id);
    const control = optimiseControls.get(id);
    const target = RED.nodes.getNode(id) as unknown as { receive(msg: object): void } | null;
    if (!control || !target) return res.status(404).type('text/plain').send(`No backtest node ${id} is deployed here (or its settings are invalid): deploy the flow first.`);
    if (control.busy()) return res.status(409).type('text/plain').send('A backtest or an optimisation is already running on this node: wait for it, or cancel it.');
    const sweep = req.body && typeof req.body === 'object' && Object.keys(req.body).length ? req.body : true;
    try {
      control.check(sweep);
    } catch (err) {
      return res.status(400).type('text/plain').send(redact((err as Error).message));
    }
    target.receive({ topic: 'optimise', optimise: sweep, payload: Date.now() });
    res.status(202).json({ started: true });
  });
  RED.httpAdmin.post('/tradebot/backtest/:id/optimise/cancel', write, (req, res) => {
    const control = optimiseControls.get(String(req.params.id));
    if (!control?.cancel()) return res.status(404).type('text/plain').send('No optimisation is running on this node.');
    res.sendStatus(200);
  });

  // The report page of the last run, its data, and the scripts it loads: relative URLs only, so it
  // works under any httpAdminRoot; nothing from the internet.
  const read = RED.auth.needsPermission('tradebot-backtest.read');
  const noRun = (id: string) =>
    RED.nodes.getNode(id)
      ? `The backtest node ${id} has no finished run since Node-RED started: press its button (or send it any message), wait for its "done" status, then open the report again.`
      : `No backtest node ${id} is deployed here: deploy the flow, run the backtest (the node's button, or any message into it), then open the report again.`;

  RED.httpAdmin.get('/tradebot/backtest/:id/report.json', read, (req, res) => {
    const id = String(req.params.id);
    const run = lastRuns.get(id);
    res.set('Cache-Control', 'no-store');
    if (!run) return res.status(404).type('text/plain').send(noRun(id));
    // Like every text the package shows, the report passes the credential redaction.
    res.json(redactDeep('summary' in req.query ? reportSummary(run) : reportJson(run)));
  });

  RED.httpAdmin.get('/tradebot/backtest/:id/optimise.json', read, (req, res) => {
    const id = String(req.params.id);
    const report = lastOptimisations.get(id);
    res.set('Cache-Control', 'no-store');
    if (!report) return res.status(404).type('text/plain').send(`The backtest node ${id} has no optimisation since Node-RED started: set one up on its Optimise tab (or send it msg.optimise), run it, then open the results again.`);
    res.json(redactDeep(report));
  });

  // The results page (optimise-page.ts): the report rendered, its script follows a running one.
  RED.httpAdmin.get('/tradebot/backtest/:id/optimise', read, (req, res) => {
    const id = String(req.params.id);
    const report = lastOptimisations.get(id);
    res.set('Cache-Control', 'no-store');
    if (!report) return res.status(404).type('text/plain').send(`The backtest node ${id} has no optimisation since Node-RED started: set one up on its Optimise tab (or send it msg.optimise), run it, then open the results again.`);
    try {
      res.type('text/html').send(redact(renderOptimisePage(redactDeep(report), tokenQuery(req))));
    } catch (err) {
      res.status(500).type('text/plain').send(redact(`the results page failed: ${(err as Error).message}`));
    }
  });

  RED.httpAdmin.get('/tradebot/backtest/:id/report', read, (req, res) => {
    const id = String(req.params.id);
    const run = lastRuns.get(id);
    res.set('Cache-Control', 'no-store');
    if (!run) return res.status(404).type('text/plain').send(noRun(id));
    try {
      res.type('text/html').send(redact(renderReportPage(run, tokenQuery(req))));
    } catch (err) {
      res.status(500).type('text/plain').send(redact(`the report page failed: ${(err as Error).message}`));
    }
  });

  registerOptimiseEditorRoutes(RED);

  serveScripts(RED, '/tradebot/backtest/assets', 'tradebot-backtest.read', {
    'lightweight-charts.js': lightweightChartsFile,
    'report-page.js': () => path.join(__dirname, 'report', 'page.js'),
    'optimise-page.js': () => path.join(__dirname, 'optimise', 'page.js'),
  });
};
