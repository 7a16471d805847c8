/** The command line asks for something impossible; the message says what to pass instead. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
