/** Bench process: the embedded DynamoDB engine (dynalite, in memory), alone in its process. */
import { startDynamoDb } from '../../local/dynamodb/engine';
import { serveParent } from './child';

void (async () => {
  const db = await startDynamoDb({ engine: 'dynalite' });
  serveParent({ endpoint: db.endpoint }, {}, () => db.stop());
})();
