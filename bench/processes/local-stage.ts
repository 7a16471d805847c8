/**
 * Bench process: the local stage (`npm start`'s gateway) in front of an engine running in
 * another process. Throttling and the access log are off: this measures the emulator.
 */
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
  serveParent({ url: stage.url, apiKey: stage.apiKey, table: stage.tables[0] }, {}, () =>
    stage.stop(),
  );
})();
