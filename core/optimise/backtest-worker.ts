/**
 * The worker thread of an optimisation (optimiser.ts starts one per core): gets the optimisation's
 * setup once (workerData: the flow, the exchange settings, the history) and runs each job it is
 * sent, a fast-path backtest of one combination (backtest-job.ts).
 */
import { workerData } from 'node:worker_threads';
import { runBacktestJob, type BacktestJob, type BacktestJobResult, type OptimiseSetup } from './backtest-job';
import { serveJobs } from './worker-job';

const setup = workerData as OptimiseSetup;
serveJobs<BacktestJob, BacktestJobResult>((job) => runBacktestJob(setup, job));
