/** A bad environment variable: the process stops with this message, which names it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
