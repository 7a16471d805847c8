/**
 * The smallest DynamoDB client a hand-written service would use on loopback: a keep-alive
 * agent and fixed headers. Neither embedded engine checks signatures (only their form), so one
 * well-formed SigV4 header serves every request; the bench's direct calls send the same.
 */
import http from 'node:http';

export const BENCH_AUTHORIZATION =
  'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, ' +
  'SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=' +
  '0'.repeat(64);

export function dynamoHeaders(action: string): Record<string, string> {
  return {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': `DynamoDB_20120810.${action}`,
    'x-amz-date': '20260101T000000Z',
    authorization: BENCH_AUTHORIZATION,
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs `body` as `action`; resolves with DynamoDB's status and raw bytes. */
export function postToDynamo(
  endpoint: URL,
  action: string,
  body: string,
): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        method: 'POST',
        hostname: endpoint.hostname,
        port: endpoint.port,
        path: '/',
        headers: { ...dynamoHeaders(action), 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
