/**
 * Bench process: a lean hand-written Node service doing what `GET /{id}` does: Query the hash
 * key for one item more than the 25-item page, convert DynamoDB JSON to plain JSON, answer
 * `{"id", "items", "nextToken"?}`. What a gateway process could reach with no generality.
 */
import http from 'node:http';
import { argsOf, serveHttpToParent } from './child';
import { postToDynamo } from './dynamo-wire';

const PAGE = 25;
const { dynamoEndpoint, table } = argsOf<{ dynamoEndpoint: string; table: string }>();
const endpoint = new URL(dynamoEndpoint);

type Typed = Record<string, unknown>;

function plain(value: Typed): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return Number(value.N);
  if ('BOOL' in value) return value.BOOL;
  if ('NULL' in value) return null;
  if ('M' in value) return plainItem(value.M as Record<string, Typed>);
  if ('L' in value) return (value.L as Typed[]).map(plain);
  if ('SS' in value) return value.SS;
  if ('NS' in value) return (value.NS as string[]).map(Number);
  if ('B' in value) return value.B;
  if ('BS' in value) return value.BS;
  return null;
}

function plainItem(item: Record<string, Typed>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(item)) out[name] = plain(item[name]);
  return out;
}

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

const server = http.createServer((req, res) => {
  req.resume();
  const id = decodeURIComponent((req.url ?? '/').split('?')[0].split('/')[1] ?? '');
  const query = JSON.stringify({
    TableName: table,
    KeyConditionExpression: 'id = :id',
    ExpressionAttributeValues: { ':id': { S: id } },
    Limit: PAGE + 1,
  });
  postToDynamo(endpoint, 'Query', query).then(
    (result) => {
      if (result.status !== 200) return answer(res, 500, { message: 'Internal server error' });
      const items = (JSON.parse(result.body.toString('utf8')) as { Items: Typed[] }).Items;
      if (items.length === 0) return answer(res, 404, { message: 'Not found' });
      const page = items.slice(0, PAGE).map((item) => plainItem(item as Record<string, Typed>));
      const body: Record<string, unknown> = { id, items: page };
      if (items.length > PAGE) {
        const last = page[PAGE - 1].range as string;
        body.nextToken = Buffer.from(last).toString('base64url');
      }
      answer(res, 200, body);
    },
    () => answer(res, 502, { message: 'Bad gateway' }),
  );
});
serveHttpToParent(server);
