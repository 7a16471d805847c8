/**
 * A construct API Gateway does not run (or that this runtime cannot run exactly as API Gateway
 * does). Thrown at compile time whenever the construct is visible in the template text, so a
 * template that would behave differently on AWS never renders locally.
 */
export class UnsupportedTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedTemplateError';
  }
}

/** A failure while rendering: an AWS limit was hit, or the template did something AWS rejects. */
export class TemplateRuntimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRuntimeError';
  }
}

/** `$input.path`/`$input.json` on a body that is not JSON: API Gateway answers 400, not 500. */
export class BodyNotJsonError extends TemplateRuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'BodyNotJsonError';
  }
}
