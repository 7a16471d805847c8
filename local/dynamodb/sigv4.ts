/**
 * AWS Signature Version 4 for the one request shape the local stage sends: a POST to
 * DynamoDB's JSON API with `content-type`, `host`, `x-amz-content-sha256`, `x-amz-date` and
 * `x-amz-target`. It gives
 * byte for byte the `Authorization` that @smithy/signature-v4 computes for the same request
 * (tests/unit/dynamodb-sigv4.test.ts checks it), synchronously, with the signing key derived
 * once per day: the generic signer was a tenth of the gateway's CPU per request.
 * Algorithm: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac } from 'node:crypto';

export interface SigningIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

export interface SignedHeaders {
  'content-type': string;
  host: string;
  'x-amz-content-sha256': string;
  'x-amz-date': string;
  'x-amz-target': string;
  authorization: string;
}

const SIGNED_HEADER_NAMES = 'content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

let lastSecond = -1;
let lastAmzDate = '';

/** `20260101T000000Z` for an epoch in ms (formatted once per second). */
export function amzDate(epochMs: number): string {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    lastAmzDate = new Date(second * 1000)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    lastSecond = second;
  }
  return lastAmzDate;
}

export function createDynamoDbSigner(identity: SigningIdentity) {
  let keyDay = '';
  let signingKey: Buffer = Buffer.alloc(0);
  const keyFor = (day: string): Buffer => {
    if (day !== keyDay) {
      const hmac = (key: string | Buffer, data: string) =>
        createHmac('sha256', key).update(data).digest();
      signingKey = hmac(
        hmac(hmac(hmac(`AWS4${identity.secretAccessKey}`, day), identity.region), identity.service),
        'aws4_request',
      );
      keyDay = day;
    }
    return signingKey;
  };
  /**
   * Headers for a POST of `body` to `host` and `path` (an endpoint's path, normally `/`, with
   * no characters that need encoding). `payloadSha256` (hex) may be given when the
   * body's hash is already known (a large body hashed off the main thread).
   */
  return function sign(
    host: string,
    path: string,
    contentType: string,
    target: string,
    body: string | Buffer,
    epochMs: number,
    payloadSha256?: string,
  ): SignedHeaders {
    const date = amzDate(epochMs);
    const payloadHash = payloadSha256 ?? sha256Hex(body);
    const day = date.slice(0, 8);
    const scope = `${day}/${identity.region}/${identity.service}/aws4_request`;
    const canonicalRequest =
      `POST\n${path}\n\ncontent-type:${contentType}\nhost:${host}\nx-amz-content-sha256:${payloadHash}\nx-amz-date:${date}\n` +
      `x-amz-target:${target}\n\n${SIGNED_HEADER_NAMES}\n${payloadHash}`;
    const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', keyFor(day)).update(stringToSign).digest('hex');
    return {
      'content-type': contentType,
      host,
      'x-amz-content-sha256': payloadHash,
      'x-amz-date': date,
      'x-amz-target': target,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${identity.accessKeyId}/${scope}, ` +
        `SignedHeaders=${SIGNED_HEADER_NAMES}, Signature=${signature}`,
    };
  };
}
