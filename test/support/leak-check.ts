// What no response body and no log line may carry: a stack trace, an API token, or the
// personal data of a case (account handle and name, content, penalty subject).

/** A V8 stack frame ("\n    at fn (file:1:2)"), or a `stack` member of a logged error. */
const STACK_TRACE = /\\n\s*at\s|\n\s*at\s|"stack"\s*:/u;

export type Leak = { where: string; what: 'stack trace' | 'secret'; excerpt: string };

/**
 * Every text (a response body, a serialized log line) that shows a stack trace or contains
 * one of the secrets. Secrets are compared as they would appear inside JSON as well.
 */
export function findLeaks(texts: readonly { where: string; text: string }[], secrets: readonly string[]): Leak[] {
  const needles = [
    ...new Set(secrets.filter((s) => s.length >= 6).flatMap((s) => [s, JSON.stringify(s).slice(1, -1)])),
  ];
  const leaks: Leak[] = [];
  for (const { where, text } of texts) {
    const stack = STACK_TRACE.exec(text);
    if (stack !== null) leaks.push({ where, what: 'stack trace', excerpt: excerpt(text, stack.index) });
    for (const needle of needles) {
      const at = text.indexOf(needle);
      if (at !== -1) leaks.push({ where, what: 'secret', excerpt: excerpt(text, at) });
    }
  }
  return leaks;
}

function excerpt(text: string, at: number): string {
  return text.slice(Math.max(0, at - 80), at + 80);
}
