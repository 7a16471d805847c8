/**
 * Bench process: a bare Node proxy, the ceiling for any gateway in front of DynamoDB. Every
 * request forwards the same Query (the one `GET /{id}` renders) and answers DynamoDB's bytes
 * untouched: no routing, no templates, no conversion.
 */
import http from 'node:http';
import { argsOf, serveHttpToParent } from './child';
import { postToDynamo } from './dynamo-wire';

const { dynamoEndpoint, query } = argsOf<{ dynamoEndpoint: string; query: object }>();
const endpoint = new URL(dynamoEndpoint);
const body = JSON.stringify(query);

const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    postToDynamo(endpoint, 'Query', body).then(
      (answer) => {
        res.writeHead(answer.status, {
          'content-type': 'application/json',
          'content-length': answer.body.length,
        });
        res.end(answer.body);
      },
      () => {
        res.writeHead(502).end();
      },
    );
  });
});
serveHttpToParent(server);
