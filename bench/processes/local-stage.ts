/**
 * Bench process: the local stage (`npm start`'s gateway) in front of an engine running in
 * another process. Throttling and the access log are off: this measures the emulator.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { startLocalStage } from '../../local/start';
import { argsOf, serveParent } from './child';

void (async () => {
  const { dynamoEndpoint } = argsOf<{ dynamoEndpoint: string }>();
  const stage = await startLocalStage({
    port: 0,
    dynamoEndpoint,
    throttling: false,
    log: () => undefined,
  });
  // How long the event loop was held up (ms), between `delayStart` and `delayStop`: what every
  // other client waited on top of its own work.
  let histogram: IntervalHistogram | undefined;
  serveParent(
    { url: stage.url, apiKey: stage.apiKey, table: stage.tables[0] },
    {
      delayStart: () => {
        histogram = monitorEventLoopDelay({ resolution: 10 });
        histogram.enable();
      },
      delayStop: () => {
        histogram?.disable();
        const ms = (ns: number) => Math.round(ns / 1e6);
        return { p99Ms: ms(histogram?.percentile(99) ?? 0), maxMs: ms(histogram?.max ?? 0) };
      },
    },
    () => stage.stop(),
  );
})();
