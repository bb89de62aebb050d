/** The message `action` fails with; throws if it succeeds. */
export function failureMessage(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected synth to fail, but it succeeded');
}
