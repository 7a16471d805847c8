/**
 * Differential test: every case renders byte-for-byte the same on our runtime and on Apache
 * Velocity 1.7 (the engine API Gateway runs), through tests/reference-velocity/RenderBatch.java.
 * One JVM renders the whole batch. Where the reference engine is not installed
 * (tests/reference-velocity/install.sh), the comparison does not run and a warning says so;
 * with REQUIRE_REFERENCE_ENGINE=1 (CI, which installs it) a missing engine fails.
 */
import { differentialCases } from '../fixtures/vtl/differential-cases';
import { referenceSizedCases } from '../fixtures/vtl/realistic-inputs';
import { templateCases } from '../fixtures/vtl/template-inputs';
import { loadVtl } from '../../resources/vtl';
import { MappingResult, renderMappingTemplate } from '../../local/vtl';
import {
  ReferenceResult,
  asciiText,
  referenceEngineMissing,
  renderWithVelocity,
} from '../reference-velocity/engine';

// Bodies go to both engines as ASCII-only JSON: see asciiJson.
// Our own vtl/ templates, as packaged (includes inlined), on realistic inputs.
// Larger inputs too, that take the converters' loops past 1000 steps: they must agree with
// Velocity 1.7 byte for byte across their chunks (see referenceSizedCases).
const ownTemplates = [...templateCases, ...referenceSizedCases].map((c) => ({
  name: `vtl/${c.template}: ${c.name}`,
  template: loadVtl(c.template),
  ...c.input,
}));
const cases = [...differentialCases, ...ownTemplates].map((c) => ({
  ...c,
  body: c.body === undefined ? '{}' : asciiText(c.body),
}));

it('hands the engines bodies that mean what the cases wrote (ASCII-only JSON)', () => {
  const originals = [...differentialCases, ...ownTemplates].map((c) => c.body ?? '{}');
  originals.forEach((body, i) => {
    expect([...cases[i].body].every((c) => c.charCodeAt(0) < 0x7f)).toBe(true);
    let meaning: unknown;
    try {
      meaning = JSON.parse(body);
    } catch {
      return; // not JSON: the case is about an unparsable body, sent as is
    }
    expect(JSON.parse(cases[i].body)).toEqual(meaning);
  });
});

const missing = referenceEngineMissing();

if (missing !== undefined && process.env.REQUIRE_REFERENCE_ENGINE === '1') {
  // CI installs the engine (.ci/run): there, a missing engine is a failure.
  it('has the reference engine that REQUIRE_REFERENCE_ENGINE=1 asks for', () => {
    throw new Error(`reference engine required but not installed: ${missing}`);
  });
} else if (missing !== undefined) {
  // Elsewhere the comparison cannot run: say so once, instead of registering tests that cannot.
  console.warn(
    `VTL differential test not run: reference engine not installed (${missing}); run tests/reference-velocity/install.sh`,
  );
} else {
  const reference = renderWithVelocity(cases);

  const ours = (c: (typeof cases)[number]): ReferenceResult => {
    let result: MappingResult;
    try {
      result = renderMappingTemplate(c.template, c);
    } catch (e) {
      return { error: String(e) };
    }
    return {
      body: result.body,
      ...(result.statusOverride !== undefined ? { status: String(result.statusOverride) } : {}),
      headers: result.headerOverrides,
      requestOverrides: result.requestOverrides,
    };
  };

  it.each(cases.map((c, i) => [c.name, c, reference[i]] as const))(
    'renders like Velocity 1.7: %s',
    (_name, c, expected) => {
      expect(ours(c)).toEqual(expected);
    },
  );
}
