// cluster-key-slot ships no types: the one function casetrail uses.
declare module 'cluster-key-slot' {
  /** The Redis Cluster hash slot of a key (its `{tag}` when it has one). */
  export default function calculateSlot(key: string): number;
}
