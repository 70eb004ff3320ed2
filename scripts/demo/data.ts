/**
 * Sample data for the demo (and tests that want realistic trackers): a "components" tracker and
 * a "bugs" tracker that uses every field type, with items generated from a seed, so every run
 * of the demo shows the same data.
 */
import type { FieldInput, NewItem } from '../../server/store/index.js';
import type { FileRef } from '../../shared/model/files.js';
import { seededRandom as random } from '../../shared/random.js';

function pick<T>(rand: () => number, list: readonly T[]): T {
  return list[Math.floor(rand() * list.length)] as T;
}

function some<T>(rand: () => number, list: readonly T[], max: number): T[] {
  const count = Math.floor(rand() * (max + 1));
  return [...new Set(Array.from({ length: count }, () => pick(rand, list)))];
}

export const COMPONENTS = ['Editor', 'Sync engine', 'Search', 'Login', 'Export', 'Notifications', 'Mobile app', 'Admin console'];

export const COMPONENT_FIELDS: FieldInput[] = [
  { name: 'name', label: 'Name', type: 'text', required: true },
  { name: 'owner', label: 'Owner', type: 'text' },
  { name: 'notes', label: 'Notes', type: 'textarea' },
];

export const SEVERITIES = ['blocker', 'critical', 'major', 'minor', 'trivial'];
export const PLATFORMS = ['linux', 'macos', 'windows', 'android', 'ios'];

/** The bugs tracker: one field of every type (DESIGN §2), so a clone shows every transform. */
export function bugFields(componentsTrackerId: number): FieldInput[] {
  return [
    { name: 'title', label: 'Title', type: 'text', required: true },
    { name: 'description', label: 'Description', type: 'textarea' },
    { name: 'severity', label: 'Severity', type: 'dropdown', options: SEVERITIES, required: true },
    { name: 'platforms', label: 'Platforms', type: 'multiselect', options: PLATFORMS },
    { name: 'estimate', label: 'Estimate (h)', type: 'number' },
    { name: 'confirmed', label: 'Confirmed', type: 'checkbox' },
    { name: 'due', label: 'Due', type: 'date' },
    { name: 'reported_at', label: 'Reported at', type: 'datetime' },
    { name: 'reporter', label: 'Reporter email', type: 'email' },
    { name: 'link', label: 'Link', type: 'url' },
    { name: 'labels', label: 'Labels', type: 'tags' },
    { name: 'office', label: 'Office', type: 'location' },
    { name: 'assignee', label: 'Assignee', type: 'user' },
    { name: 'ref', label: 'Ref', type: 'autoincrement' },
    { name: 'wiki', label: 'Wiki page', type: 'page' },
    { name: 'component', label: 'Component', type: 'itemlink', linkedTracker: componentsTrackerId },
    { name: 'attachments', label: 'Attachments', type: 'files' },
  ];
}

export function componentItems(): NewItem[] {
  const owners = ['alice', 'bob', 'carol', 'dave'];
  return COMPONENTS.map((name, index) => ({
    values: { name, owner: owners[index % owners.length], notes: `${name}: owned by the ${owners[index % owners.length]} team.\nSee the wiki for the roadmap.` },
  }));
}

const PROBLEMS = [
  'Crash when saving',
  'Slow response when opening',
  'Wrong total shown for',
  'Cannot export',
  'Timeout while syncing',
  'Typo in the label of',
  'Layout breaks on',
  'Duplicate entries after importing',
  'Login loop on',
  'Missing translation in',
  'Memory grows while editing',
  'Dark mode colours wrong on',
];
const OBJECTS = ['a draft', 'the settings page', 'large attachments', 'the weekly report', 'a shared folder', 'the search results', 'an archived project', 'the calendar view', 'unicode titles', 'the offline queue'];
const CONTEXTS = ['after an update', 'on a slow network', 'with two tabs open', 'for new users', 'in read-only mode', 'behind a proxy', '', '', ''];
const LABELS = ['regression', 'ux', 'performance', 'security', 'good-first-issue', 'needs-info', 'i18n'];
const OFFICES = ['48.8566,2.3522', '52.52,13.405,12', '40.7128,-74.006', '35.6762,139.6503,10'];
const USERS = ['alice', 'bob'];

/** `count` bug items; component links point at `componentIds`; about one in five has one or two of `attachments`. */
export function bugItems(count: number, componentIds: readonly number[], seed = 15, attachments: readonly FileRef[] = []): NewItem[] {
  const rand = random(seed);
  const start = Date.UTC(2024, 0, 8, 9, 0, 0);
  return Array.from({ length: count }, (_, index) => {
    const title = `${pick(rand, PROBLEMS)} ${pick(rand, OBJECTS)} ${pick(rand, CONTEXTS)}`.trim();
    const reported = new Date(start + index * 3_600_000 * 7 + Math.floor(rand() * 3_600_000));
    const due = new Date(reported.getTime() + (3 + Math.floor(rand() * 40)) * 86_400_000).toISOString().slice(0, 10);
    const values: Record<string, unknown> = {
      title,
      description: [`Steps to reproduce (#${index + 1}):`, '1. Open the app', `2. ${title.toLowerCase()}`, '3. Look at the result', '', 'Expected: it works.', 'Actual: it does not.'].join('\n'),
      severity: pick(rand, SEVERITIES),
      platforms: some(rand, PLATFORMS, 3),
      estimate: Math.round(rand() * 160) / 4,
      confirmed: rand() < 0.6,
      due,
      reported_at: reported.toISOString(),
      reporter: `${pick(rand, ['sam', 'lee', 'kim', 'max', 'ana'])}@example.com`,
      link: `https://example.com/support/${1000 + index}`,
      labels: some(rand, LABELS, 2),
      office: pick(rand, OFFICES),
      assignee: pick(rand, USERS),
      wiki: rand() < 0.3 ? `Bug ${index + 1} notes` : null,
      component: componentIds.length > 0 ? pick(rand, componentIds) : null,
      attachments: attachments.length > 0 && rand() < 0.2 ? some(rand, attachments, 2) : [],
    };
    const status = rand() < 0.7 ? 'open' : rand() < 0.5 ? 'pending' : 'closed';
    return { status, values };
  });
}
