export interface Finding {
  check: string;
  severity: string;
  file: string;
  location: string;
  sample: string;
}
export interface Justification {
  check: string;
  file: string;
  sample: string;
  why: string;
}
export function parseCsv(text: string): string[][];
export function findingsFromCsv(text: string): Finding[];
export function readJustified(markdown: string): Justification[];
export function gate(findings: Finding[], justified: Justification[]): { bad: Finding[]; unused: Justification[] };
