/**
 * Path parameters that are not valid UTF-8 once percent-decoded (`%FF`, `%C0`, `%FE`, a lone
 * continuation byte, an encoded surrogate). API Gateway's `$util.urlDecode` is Java's
 * URLDecoder, which replaces each malformed sequence with U+FFFD: `x%FF`, `x%C0` and
 * `x%EF%BF%BD` would all address the item "x\uFFFD". The templates refuse such paths with 400
 * before anything is read or written; a real U+FFFD (`%EF%BF%BD`) is an ordinary key.
 */
import type { RunningLocalStage } from '../../local/start';
import {
  INTERNAL_DETAIL,
  putItem,
  send,
  startPackagedLocalStage,
  TEST_API_KEY,
} from '../helpers/local-stage';

let stage: RunningLocalStage;
beforeAll(async () => {
  stage = await startPackagedLocalStage();
  expect((await putItem(stage.url, '/x%EF%BF%BD/r%EF%BF%BD', { real: 'U+FFFD' })).status).toBe(201);
});
afterAll(() => stage?.stop());

const MALFORMED = [
  'x%FF',
  'x%C0',
  'x%FE',
  'x%80',
  'x%C3',
  'x%ED%A0%80',
  'x%F0%9F%98',
  '%FFx%EF%BF%BD',
];

describe('malformed UTF-8 in a path parameter', () => {
  it.each(MALFORMED)(
    '%s is refused (400, JSON) by every method, in id and in range',
    async (bad) => {
      const attempts = [
        send(stage.url, `/${bad}/r%EF%BF%BD`),
        send(stage.url, `/x%EF%BF%BD/${bad}`),
        send(stage.url, `/${bad}`),
        send(stage.url, `/x%EF%BF%BD/${bad}`, {
          method: 'DELETE',
          headers: { 'x-api-key': TEST_API_KEY },
        }),
        putItem(stage.url, `/${bad}/r`, { overwritten: true }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(400);
        expect(res.json).toEqual({
          message: 'Invalid id or range: malformed percent-encoding in the path',
        });
        expect(res.body).not.toMatch(INTERNAL_DETAIL);
      }
    },
  );

  it('a real U+FFFD (%EF%BF%BD) is an ordinary key, untouched by the refused paths', async () => {
    const read = await send(stage.url, '/x%EF%BF%BD/r%EF%BF%BD');
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ id: 'x\uFFFD', range: 'r\uFFFD', real: 'U+FFFD' });
  });
});
