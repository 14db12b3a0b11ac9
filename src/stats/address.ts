/** Stats target addresses: the forms a user may type and their parsed meaning. */

/** A parsed stats address. `text` is what the user typed (used as the target's name). */
export type StatsAddress =
  | { kind: 'tcp'; text: string; host: string; port: number }
  | { kind: 'unix'; text: string; path: string }
  | { kind: 'abstract'; text: string; name: string }
  | { kind: 'http'; text: string; url: string }
  | { kind: 'file'; text: string; path: string }
  | { kind: 'stdin'; text: string }
  | { kind: 'relay'; text: string; url: string };
