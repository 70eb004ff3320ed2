/** The benchmark's tracker: twelve fields of every common type and deterministic items of about 1 KB each. */
import type { FieldInput } from '../../server/store/index.js';
import { seededRandom as random } from '../../shared/random.js';

export const TRACKER_NAME = 'bench';
/** The master's user (an instance admin): the clones log in as it. */
export const USER = 'bench';
export const PASSWORD = 'bench-password';

const SEVERITIES = ['minor', 'major', 'critical', 'blocker'];
const PLATFORMS = ['android', 'ios', 'linux', 'macos', 'windows'];
const WORDS = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo ' +
  'sierra tango uniform victor whiskey xray yankee zulu crash screen login export import report sync queue cache ' +
  'timeout button editor window server client token field value status release build deploy restart memory disk'
).split(' ');
const STATUSES = ['open', 'pending', 'closed'] as const;

export const FIELDS: FieldInput[] = [
  { name: 'title', type: 'text', required: true },
  { name: 'description', type: 'textarea' },
  { name: 'estimate', type: 'number' },
  { name: 'confirmed', type: 'checkbox' },
  { name: 'severity', type: 'dropdown', options: SEVERITIES },
  { name: 'platforms', type: 'multiselect', options: PLATFORMS },
  { name: 'due', type: 'date' },
  { name: 'reportedAt', type: 'datetime' },
  { name: 'reporter', type: 'email' },
  { name: 'link', type: 'url' },
  { name: 'tags', type: 'tags' },
  { name: 'place', type: 'location' },
];

export type BenchValues = Record<string, string | number | boolean | string[]>;

export interface BenchItem {
  status: (typeof STATUSES)[number];
  values: BenchValues;
}


function words(next: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
}

function subset(next: () => number, from: readonly string[]): string[] {
  const chosen = from.filter(() => next() < 0.4);
  return chosen.length > 0 ? chosen : [from[0]!];
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Item `index` (from 0); values are already canonical, so every store keeps them byte for byte. */
export function benchItem(index: number): BenchItem {
  const next = random(index + 1);
  const day = new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 700) * 86_400_000);
  const at = new Date(Date.UTC(2023, 0, 1) + Math.floor(next() * 700 * 86_400) * 1000);
  const lines = Array.from({ length: 7 }, () => words(next, 11));
  return {
    status: STATUSES[index % STATUSES.length]!,
    values: {
      title: `Item ${index + 1}: ${words(next, 5)}`,
      description: lines.join('\n'),
      estimate: Math.round(next() * 4000) / 100,
      confirmed: next() < 0.5,
      severity: SEVERITIES[Math.floor(next() * SEVERITIES.length)]!,
      platforms: subset(next, PLATFORMS),
      due: `${day.getUTCFullYear()}-${pad(day.getUTCMonth() + 1)}-${pad(day.getUTCDate())}`,
      reportedAt: at.toISOString(),
      reporter: `user${Math.floor(next() * 5000)}@example.org`,
      link: `https://tracker.example.org/issues/${index + 1}?ref=${words(next, 1)}`,
      tags: [...new Set(words(next, 4).split(' '))].sort(),
      place: `${Math.round((next() * 180 - 90) * 10_000) / 10_000},${Math.round((next() * 360 - 180) * 10_000) / 10_000}`,
    },
  };
}

/** Indexes of `count` items spread evenly over `total` (the 1% changed, the 1,000 edited). */
export function spread(total: number, count: number, offset = 0): number[] {
  const n = Math.min(total, count);
  const step = total / n;
  return Array.from({ length: n }, (_, i) => (Math.floor(i * step) + offset) % total);
}
