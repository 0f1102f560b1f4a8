/**
 * A commander action that imports its implementation when it runs: `casetrail --help` and
 * `casetrail --version` load no command's dependencies, and each command loads only its own.
 */
// biome-ignore lint/suspicious/noExplicitAny: commander passes its parsed arguments untyped
type Action = (...args: any[]) => unknown;

export function lazyAction<M extends Record<K, Action>, K extends string>(
  load: () => Promise<M>,
  name: K,
): (...args: Parameters<M[K]>) => Promise<void> {
  return async (...args) => {
    const module = await load();
    await module[name](...args);
  };
}
