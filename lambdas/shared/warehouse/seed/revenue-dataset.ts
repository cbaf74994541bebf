/**
 * The embedded warehouse's sample revenue data, generated deterministically: the same `asOf`
 * date always yields the same rows. Dates are relative to `asOf` (default: today, UTC), so open
 * deals close in the coming weeks and calls happened in the last ones whenever it runs.
 *
 * Besides a few hundred generated accounts it holds the entities of RevBot's documented examples:
 * the IXIS deal (Negotiate, 75 %, $2.1M ARR, owned by Sarah Johnson), the lead John Smith at
 * DataCorp, the customer TechCorp (an expansion candidate), the Microsoft Enterprise deal, and
 * Acme Corp, whose recent calls mention Snowflake and Databricks while its usage declines.
 * The Gong and search stand-ins serve data derived from the same generator.
 */
import { COMPETITORS } from '@revbot/agents/knowledge-base';
import type { SqlValue } from '../types';
import {
  CALL_KINDS,
  CALL_SCRIPTS,
  CALL_TOPICS,
  type CallKind,
  COMPETITOR_LINES,
  type ScriptLine,
  SECOND_COMPETITOR_LINES,
} from './call-scripts';
import {
  COMPANY_PREFIXES,
  COMPANY_SUFFIXES,
  CONTACT_TITLES,
  COUNTRIES,
  FIRST_NAMES,
  LAST_NAMES,
  LEAD_COMPANY_ENDINGS,
  LEAD_COMPANY_WORDS,
  LEAD_TITLES,
  PRODUCTS,
  SUFFIX_INDUSTRY,
  TECHNOLOGIES,
} from './names';

export const SEED_TABLES = [
  'users',
  'accounts',
  'contacts',
  'opportunities',
  'leads',
  'activities',
  'gong_calls',
  'gong_call_transcripts',
  'product_usage',
  'arr_history',
  'lead_scores',
  'deal_notes',
  'agent_action_log',
] as const;
export type SeedTable = (typeof SEED_TABLES)[number];

export type Row = Record<string, SqlValue>;

export interface RevenueDatasetOptions {
  /** The day the data is "as of", `YYYY-MM-DD`; default today (UTC). */
  asOf?: string;
  /** Accounts to generate, the named example accounts included (default 300). */
  accountCount?: number;
}

export interface GongParty {
  speakerId: string;
  name: string;
  email: string;
  title: string;
  affiliation: 'Internal' | 'External';
  /** Our user's id for internal parties. */
  userId?: string;
}

export interface GongTurn {
  speakerId: string;
  speakerName: string;
  affiliation: 'Internal' | 'External';
  startSeconds: number;
  text: string;
}

/** A call with everything Gong's API reports about it; `row` is its `gong_calls` row. */
export interface GongCallDetail {
  row: Row;
  kind: CallKind;
  parties: GongParty[];
  turns: GongTurn[];
  competitors: string[];
}

export interface RevenueDataset {
  asOf: string;
  tables: Record<SeedTable, Row[]>;
  gongCalls: GongCallDetail[];
}

const STAGES = [
  { stage: 'Prospecting', probability: 10, forecast: 'Pipeline', meddpicc: [1, 2] },
  { stage: 'Discovery', probability: 20, forecast: 'Pipeline', meddpicc: [2, 4] },
  { stage: 'Solution Validation', probability: 40, forecast: 'Best Case', meddpicc: [4, 6] },
  { stage: 'Proposal', probability: 60, forecast: 'Best Case', meddpicc: [5, 7] },
  { stage: 'Negotiate', probability: 75, forecast: 'Commit', meddpicc: [6, 8] },
] as const;
type OpenStage = (typeof STAGES)[number]['stage'];

type Profile = 'healthy' | 'declining' | 'expanding' | 'flat';

interface Account {
  row: Row;
  id: string;
  name: string;
  segment: 'Enterprise' | 'Mid-Market' | 'SMB';
  region: string;
  type: 'Customer' | 'Prospect' | 'Churned' | 'Partner';
  profile: Profile;
  owner: User;
  csm: User;
  customerSince?: Date;
  churnedOn?: Date;
  arr: number;
  contacts: Row[];
}

interface User {
  id: string;
  name: string;
  email: string;
  role: string;
  team: string;
  region: string;
}

interface Opportunity {
  row: Row;
  account: Account;
  owner: User;
  stage: string;
  open: boolean;
  competitor: string | null;
}

/** Today's date in UTC as `YYYY-MM-DD`. */
export const todayUtc = (): string => new Date().toISOString().slice(0, 10);

export function generateRevenueDataset(options: RevenueDatasetOptions = {}): RevenueDataset {
  return new Generator(options.asOf ?? todayUtc(), options.accountCount ?? 300).build();
}

/** Calendar quarter of a date, `YYYY-Qn`. */
export function quarterOf(date: string | Date): string {
  const d = typeof date === 'string' ? new Date(`${date.slice(0, 10)}T00:00:00Z`) : date;
  return `${d.getUTCFullYear()}-Q${Math.floor(d.getUTCMonth() / 3) + 1}`;
}

const DAY_MS = 86_400_000;
const fmtDate = (d: Date) => d.toISOString().slice(0, 10);
const fmtTs = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '');
const money = (value: number) =>
  value >= 1_000_000 ? `$${(value / 1_000_000).toFixed(1)}M` : `$${Math.round(value / 1000)}K`;

class Generator {
  private readonly asOf: Date;
  private state = 0x5eed_2026;
  private readonly tables = Object.fromEntries(SEED_TABLES.map((t) => [t, [] as Row[]])) as Record<
    SeedTable,
    Row[]
  >;
  private readonly gongCalls: GongCallDetail[] = [];
  private readonly users: User[] = [];
  private readonly accounts: Account[] = [];
  private readonly opportunities: Opportunity[] = [];
  private counters = new Map<string, number>();

  constructor(
    private readonly asOfText: string,
    private readonly accountCount: number,
  ) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOfText) || Number.isNaN(Date.parse(asOfText))) {
      throw new Error(`asOf must be a date like 2026-11-23, got ${JSON.stringify(asOfText)}`);
    }
    this.asOf = new Date(`${asOfText}T00:00:00Z`);
  }

  build(): RevenueDataset {
    this.makeUsers();
    this.makeNamedAccounts();
    this.makeGeneratedAccounts();
    for (const account of this.accounts) this.makeOpportunities(account);
    this.makeNamedDeals();
    this.makeLeads();
    this.makeActivities();
    this.makeGongCalls();
    this.makeUsageAndArr();
    this.makeAgentWrites();
    this.tables.accounts = this.accounts.map((a) => a.row);
    this.tables.opportunities = this.opportunities.map((o) => o.row);
    return { asOf: this.asOfText, tables: this.tables, gongCalls: this.gongCalls };
  }

  // --- randomness -------------------------------------------------------------------------

  /** mulberry32: small, fast and deterministic. */
  private rand(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  private int(min: number, max: number): number {
    return min + Math.floor(this.rand() * (max - min + 1));
  }
  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rand() * items.length)] as T;
  }
  private chance(p: number): boolean {
    return this.rand() < p;
  }
  private weighted<T>(entries: readonly (readonly [T, number])[]): T {
    const total = entries.reduce((sum, [, w]) => sum + w, 0);
    let r = this.rand() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    return (entries[entries.length - 1] as readonly [T, number])[0];
  }
  private sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      out.push(pool.splice(Math.floor(this.rand() * pool.length), 1)[0] as T);
    }
    return out;
  }

  // --- helpers ----------------------------------------------------------------------------

  private day(offset: number, hour = 0, minute = 0): Date {
    return new Date(this.asOf.getTime() + offset * DAY_MS + hour * 3_600_000 + minute * 60_000);
  }
  private id(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}RB${String(n).padStart(10, '0')}AAA`;
  }
  private businessHour(offset: number): Date {
    return this.day(offset, this.int(14, 21), this.pick([0, 15, 30, 45]));
  }

  // --- users ------------------------------------------------------------------------------

  private makeUsers(): void {
    const people: [string, string, string, string, string | null, number | null][] = [
      ['Jennifer Walsh', 'Sales Manager', 'Enterprise', 'North America', null, null],
      ['Robert Hughes', 'Sales Manager', 'Mid-Market', 'North America', 'Jennifer Walsh', null],
      [
        'Amanda Scott',
        'Sales Manager',
        'Customer Success',
        'North America',
        'Jennifer Walsh',
        null,
      ],
      [
        'Chris Evans',
        'Sales Manager',
        'Sales Development',
        'North America',
        'Jennifer Walsh',
        null,
      ],
      [
        'Sarah Johnson',
        'Account Executive',
        'Enterprise',
        'North America',
        'Jennifer Walsh',
        4_000_000,
      ],
      [
        'David Kim',
        'Account Executive',
        'Enterprise',
        'North America',
        'Jennifer Walsh',
        4_000_000,
      ],
      ['Emily Rodriguez', 'Account Executive', 'Enterprise', 'EMEA', 'Jennifer Walsh', 3_500_000],
      ['Hiro Tanaka', 'Account Executive', 'Enterprise', 'APAC', 'Jennifer Walsh', 3_000_000],
      [
        'James Wilson',
        'Account Executive',
        'Mid-Market',
        'North America',
        'Robert Hughes',
        1_800_000,
      ],
      ['Priya Patel', 'Account Executive', 'Mid-Market', 'EMEA', 'Robert Hughes', 1_600_000],
      ['Michael Brown', 'Account Executive', 'Mid-Market', 'APAC', 'Robert Hughes', 1_400_000],
      ['Ana Souza', 'Account Executive', 'Mid-Market', 'LATAM', 'Robert Hughes', 1_200_000],
      ['Laura Martinez', 'Account Executive', 'SMB', 'North America', 'Robert Hughes', 900_000],
      ['Tom Anderson', 'Account Executive', 'SMB', 'EMEA', 'Robert Hughes', 800_000],
      [
        'Kevin Lee',
        'Sales Development Rep',
        'Sales Development',
        'North America',
        'Chris Evans',
        null,
      ],
      [
        'Rachel Green',
        'Sales Development Rep',
        'Sales Development',
        'North America',
        'Chris Evans',
        null,
      ],
      ['Omar Haddad', 'Sales Development Rep', 'Sales Development', 'EMEA', 'Chris Evans', null],
      ['Sofia Rossi', 'Sales Development Rep', 'Sales Development', 'APAC', 'Chris Evans', null],
      ['Daniel Park', 'Sales Engineer', 'Enterprise', 'North America', 'Jennifer Walsh', null],
      ['Nina Kowalski', 'Sales Engineer', 'Mid-Market', 'EMEA', 'Robert Hughes', null],
      ['Marcus Reed', 'Sales Engineer', 'Mid-Market', 'North America', 'Robert Hughes', null],
      [
        'Olivia Chen',
        'Customer Success Manager',
        'Customer Success',
        'North America',
        'Amanda Scott',
        null,
      ],
      [
        'Ben Carter',
        'Customer Success Manager',
        'Customer Success',
        'North America',
        'Amanda Scott',
        null,
      ],
      ['Fatima Khan', 'Customer Success Manager', 'Customer Success', 'EMEA', 'Amanda Scott', null],
      ['Lucas Meyer', 'Customer Success Manager', 'Customer Success', 'APAC', 'Amanda Scott', null],
    ];
    for (const [name, role, team, region, manager, quota] of people) {
      const user: User = {
        id: this.id('005'),
        name,
        email: `${name.toLowerCase().replace(' ', '.')}@revbot-demo.example`,
        role,
        team,
        region,
      };
      this.users.push(user);
      this.tables.users.push({
        user_id: user.id,
        full_name: name,
        email: user.email,
        role,
        team,
        region,
        manager_name: manager,
        annual_quota: quota,
        is_active: true,
      });
    }
  }

  private user(name: string): User {
    const user = this.users.find((u) => u.name === name);
    if (!user) throw new Error(`no user ${name}`);
    return user;
  }
  private usersWith(role: string, filter: (u: User) => boolean = () => true): User[] {
    return this.users.filter((u) => u.role === role && filter(u));
  }
  private aeFor(segment: string, region: string): User {
    const exact = this.usersWith(
      'Account Executive',
      (u) => u.team === segment && u.region === region,
    );
    if (exact.length > 0) return this.pick(exact);
    return this.pick(this.usersWith('Account Executive', (u) => u.team === segment));
  }
  private csmFor(region: string): User {
    const local = this.usersWith('Customer Success Manager', (u) => u.region === region);
    return this.pick(local.length > 0 ? local : this.usersWith('Customer Success Manager'));
  }

  // --- accounts ---------------------------------------------------------------------------

  private addAccount(spec: {
    name: string;
    industry: string;
    segment: Account['segment'];
    region: string;
    country: string;
    employees: number;
    type: Account['type'];
    profile: Profile;
    owner?: User;
    customerSinceDaysAgo?: number;
    churnedDaysAgo?: number;
    arr?: number;
    health?: number;
    techStack?: string[];
    website?: string;
  }): Account {
    const owner = spec.owner ?? this.aeFor(spec.segment, spec.region);
    const customerSince =
      spec.customerSinceDaysAgo !== undefined ? this.day(-spec.customerSinceDaysAgo) : undefined;
    const churnedOn =
      spec.churnedDaysAgo !== undefined ? this.day(-spec.churnedDaysAgo) : undefined;
    const arr = spec.type === 'Customer' ? (spec.arr ?? 0) : 0;
    const created = customerSince
      ? new Date(customerSince.getTime() - this.int(45, 200) * DAY_MS)
      : this.day(-this.int(20, 900));
    const account: Account = {
      id: this.id('001'),
      name: spec.name,
      segment: spec.segment,
      region: spec.region,
      type: spec.type,
      profile: spec.profile,
      owner,
      csm: this.csmFor(spec.region),
      customerSince,
      churnedOn,
      arr,
      contacts: [],
      row: {},
    };
    account.row = {
      account_id: account.id,
      account_name: spec.name,
      industry: spec.industry,
      segment: spec.segment,
      region: spec.region,
      country: spec.country,
      employee_count: spec.employees,
      annual_revenue: Math.round(spec.employees * this.int(120, 450)) * 1000,
      website: spec.website ?? `${slug(spec.name)}.example`,
      account_type: spec.type,
      owner_id: owner.id,
      owner_name: owner.name,
      customer_since: customerSince ? fmtDate(customerSince) : null,
      current_arr: arr,
      health_score: spec.type === 'Customer' ? (spec.health ?? this.healthFor(spec.profile)) : null,
      tech_stack: (spec.techStack ?? this.sample(TECHNOLOGIES, this.int(3, 5))).join(', '),
      created_at: fmtTs(created),
      updated_at: fmtTs(this.day(-this.int(0, 20), 12)),
    };
    this.accounts.push(account);
    return account;
  }

  private healthFor(profile: Profile): number {
    if (profile === 'declining') return this.int(22, 48);
    if (profile === 'expanding') return this.int(78, 96);
    if (profile === 'flat') return this.int(50, 70);
    return this.int(65, 90);
  }

  private addContact(
    account: Account,
    spec: {
      first: string;
      last: string;
      title: string;
      department: string;
      seniority: string;
      role: string;
      primary?: boolean;
    },
  ): Row {
    const row: Row = {
      contact_id: this.id('003'),
      account_id: account.id,
      first_name: spec.first,
      last_name: spec.last,
      full_name: `${spec.first} ${spec.last}`,
      title: spec.title,
      email: `${spec.first}.${spec.last}@${slug(account.name)}.example`.toLowerCase(),
      phone: `+1-555-${String(this.int(100, 999))}-${String(this.int(1000, 9999))}`,
      department: spec.department,
      seniority: spec.seniority,
      buying_role: spec.role,
      is_primary: spec.primary ?? false,
      last_engaged_date: fmtDate(this.day(-this.int(1, 60))),
      created_at: fmtTs(this.day(-this.int(60, 700), 10)),
    };
    account.contacts.push(row);
    this.tables.contacts.push(row);
    return row;
  }

  private addGeneratedContacts(account: Account): void {
    const count = account.segment === 'Enterprise' ? this.int(4, 6) : this.int(2, 4);
    const titles = [
      CONTACT_TITLES[this.int(0, 2)],
      CONTACT_TITLES[this.int(3, 4)],
      ...this.sample(CONTACT_TITLES.slice(5), count - 2),
    ];
    titles.forEach((t, index) => {
      if (!t) return;
      this.addContact(account, {
        first: this.pick(FIRST_NAMES),
        last: this.pick(LAST_NAMES),
        title: t.title,
        department: t.department,
        seniority: t.seniority,
        role: t.role,
        primary: index === 1,
      });
    });
  }

  private makeNamedAccounts(): void {
    const ixis = this.addAccount({
      name: 'IXIS',
      industry: 'Software',
      segment: 'Enterprise',
      region: 'North America',
      country: 'United States',
      employees: 5_200,
      type: 'Prospect',
      profile: 'flat',
      owner: this.user('Sarah Johnson'),
      techStack: ['AWS', 'Vertica', 'dbt', 'Tableau', 'Kafka'],
      website: 'ixis.example',
    });
    this.addContact(ixis, {
      first: 'Lisa',
      last: 'Park',
      title: 'Chief Financial Officer',
      department: 'Finance',
      seniority: 'C-Level',
      role: 'Economic Buyer',
    });
    this.addContact(ixis, {
      first: 'Michael',
      last: 'Chen',
      title: 'Director of Data Platform',
      department: 'Data & Analytics',
      seniority: 'Director',
      role: 'Champion',
      primary: true,
    });
    this.addContact(ixis, {
      first: 'Raj',
      last: 'Mehta',
      title: 'Principal Data Engineer',
      department: 'Engineering',
      seniority: 'Individual Contributor',
      role: 'Technical Evaluator',
    });
    this.addContact(ixis, {
      first: 'Karen',
      last: 'White',
      title: 'Procurement Manager',
      department: 'Procurement',
      seniority: 'Manager',
      role: 'Procurement',
    });

    const microsoft = this.addAccount({
      name: 'Microsoft',
      industry: 'Software',
      segment: 'Enterprise',
      region: 'North America',
      country: 'United States',
      employees: 221_000,
      type: 'Prospect',
      profile: 'flat',
      owner: this.user('David Kim'),
      techStack: ['Azure', 'Spark', 'Power BI', 'Kafka', 'PostgreSQL'],
      website: 'microsoft.example',
    });
    this.addContact(microsoft, {
      first: 'Priya',
      last: 'Nair',
      title: 'Principal Program Manager, Data Platform',
      department: 'Engineering',
      seniority: 'Director',
      role: 'Champion',
      primary: true,
    });
    this.addContact(microsoft, {
      first: 'Steven',
      last: 'Clarke',
      title: 'Senior Data Architect',
      department: 'Engineering',
      seniority: 'Individual Contributor',
      role: 'Technical Evaluator',
    });
    this.addContact(microsoft, {
      first: 'Dana',
      last: 'Holt',
      title: 'Procurement Lead',
      department: 'Procurement',
      seniority: 'Manager',
      role: 'Procurement',
    });

    const techcorp = this.addAccount({
      name: 'TechCorp',
      industry: 'Software',
      segment: 'Mid-Market',
      region: 'North America',
      country: 'United States',
      employees: 2_400,
      type: 'Customer',
      profile: 'expanding',
      owner: this.user('James Wilson'),
      customerSinceDaysAgo: 700,
      arr: 480_000,
      health: 91,
      techStack: ['AWS', 'dbt', 'Airflow', 'Looker', 'Fivetran'],
      website: 'techcorp.example',
    });
    this.addContact(techcorp, {
      first: 'Alan',
      last: 'Reeves',
      title: 'VP of Engineering',
      department: 'Engineering',
      seniority: 'VP',
      role: 'Economic Buyer',
    });
    this.addContact(techcorp, {
      first: 'Sandra',
      last: 'Ortiz',
      title: 'Head of Analytics',
      department: 'Data & Analytics',
      seniority: 'Director',
      role: 'Champion',
      primary: true,
    });
    this.addContact(techcorp, {
      first: 'Peter',
      last: 'Young',
      title: 'Analytics Engineer',
      department: 'Data & Analytics',
      seniority: 'Individual Contributor',
      role: 'User',
    });

    const acme = this.addAccount({
      name: 'Acme Corp',
      industry: 'Manufacturing',
      segment: 'Mid-Market',
      region: 'North America',
      country: 'United States',
      employees: 3_200,
      type: 'Customer',
      profile: 'declining',
      owner: this.user('James Wilson'),
      customerSinceDaysAgo: 1_010,
      arr: 650_000,
      health: 38,
      techStack: ['AWS', 'Snowflake', 'Tableau', 'Fivetran'],
      website: 'acme.example',
    });
    this.addContact(acme, {
      first: 'Grace',
      last: 'Liu',
      title: 'Chief Information Officer',
      department: 'Executive',
      seniority: 'C-Level',
      role: 'Economic Buyer',
    });
    this.addContact(acme, {
      first: 'Tom',
      last: 'Becker',
      title: 'Director of Data Platform',
      department: 'Data & Analytics',
      seniority: 'Director',
      role: 'Champion',
      primary: true,
    });
    this.addContact(acme, {
      first: 'Nadia',
      last: 'Petrova',
      title: 'Principal Data Engineer',
      department: 'Engineering',
      seniority: 'Individual Contributor',
      role: 'Technical Evaluator',
    });
  }

  private makeGeneratedAccounts(): void {
    const names: string[] = [];
    for (const prefix of COMPANY_PREFIXES)
      for (const suffix of COMPANY_SUFFIXES) names.push(`${prefix} ${suffix}`);
    const chosen = this.sample(names, Math.max(0, this.accountCount - this.accounts.length));
    for (const name of chosen) {
      const suffix = name.split(' ')[1] as (typeof COMPANY_SUFFIXES)[number];
      const segment = this.weighted([
        ['Enterprise', 25],
        ['Mid-Market', 40],
        ['SMB', 35],
      ] as const);
      const region = this.weighted([
        ['North America', 50],
        ['EMEA', 28],
        ['APAC', 15],
        ['LATAM', 7],
      ] as const);
      const employees =
        segment === 'Enterprise'
          ? this.int(5_000, 80_000)
          : segment === 'Mid-Market'
            ? this.int(500, 4_999)
            : this.int(50, 499);
      const type = this.weighted([
        ['Customer', 58],
        ['Prospect', 32],
        ['Churned', 7],
        ['Partner', 3],
      ] as const);
      const profile: Profile =
        type === 'Customer'
          ? this.weighted([
              ['healthy', 55],
              ['declining', 15],
              ['expanding', 20],
              ['flat', 10],
            ] as const)
          : 'flat';
      const arrRange =
        segment === 'Enterprise' ? [300, 2_500] : segment === 'Mid-Market' ? [60, 400] : [12, 80];
      const account = this.addAccount({
        name,
        industry: SUFFIX_INDUSTRY[suffix],
        segment,
        region,
        country: this.pick(COUNTRIES[region] ?? ['United States']),
        employees,
        type,
        profile,
        customerSinceDaysAgo:
          type === 'Customer'
            ? this.int(90, 1_400)
            : type === 'Churned'
              ? this.int(500, 1_400)
              : undefined,
        churnedDaysAgo: type === 'Churned' ? this.int(30, 300) : undefined,
        arr: this.int(arrRange[0] as number, arrRange[1] as number) * 1000,
      });
      this.addGeneratedContacts(account);
    }
  }

  // --- opportunities ----------------------------------------------------------------------

  private addOpportunity(
    account: Account,
    spec: {
      what: string;
      dealType: 'New Business' | 'Expansion' | 'Renewal';
      stage: OpenStage | 'Closed Won' | 'Closed Lost';
      arr: number;
      closeOffset: number;
      owner?: User;
      competitor?: string | null;
      term?: number;
      product?: string;
      meddpicc?: Partial<Record<MeddpiccField, string | null>>;
      nextStep?: string;
      lossReason?: string;
      staleDays?: number;
      createdOffset?: number;
    },
  ): Opportunity {
    const owner = spec.owner ?? account.owner;
    const open = spec.stage !== 'Closed Won' && spec.stage !== 'Closed Lost';
    const stageInfo = STAGES.find((s) => s.stage === spec.stage);
    const probability = stageInfo?.probability ?? (spec.stage === 'Closed Won' ? 100 : 0);
    const closeDate = this.day(spec.closeOffset);
    const term = spec.term ?? this.pick([12, 12, 24, 36]);
    const competitor =
      spec.competitor === undefined
        ? this.chance(0.55)
          ? this.pick(COMPETITORS)
          : null
        : spec.competitor;
    // Open deals were created before their calls and activities (up to three months back).
    const createdOffset =
      spec.createdOffset ??
      (open
        ? Math.min(spec.closeOffset - this.int(30, 240), -this.int(90, 200))
        : spec.closeOffset - this.int(30, 240));
    const meddpicc = this.meddpiccFor(account, spec.stage, competitor, spec.meddpicc);
    const filled = MEDDPICC_FIELDS.filter((f) => meddpicc[f] !== null).length;
    const lastActivity = open ? this.day(-(spec.staleDays ?? this.int(0, 24))) : closeDate;
    const row: Row = {
      opportunity_id: this.id('006'),
      opportunity_name: `${account.name} - ${spec.what}`,
      account_id: account.id,
      account_name: account.name,
      owner_id: owner.id,
      owner_name: owner.name,
      stage: spec.stage,
      probability,
      arr: spec.arr,
      amount: Math.round((spec.arr * term) / 12),
      contract_term_months: term,
      close_date: fmtDate(closeDate),
      fiscal_quarter: quarterOf(closeDate),
      forecast_category: open
        ? (stageInfo?.forecast ?? 'Pipeline')
        : spec.stage === 'Closed Won'
          ? 'Closed'
          : 'Omitted',
      deal_type: spec.dealType,
      product: spec.product ?? this.pick(PRODUCTS),
      lead_source:
        spec.dealType === 'New Business'
          ? this.pick(['Inbound', 'Outbound', 'Partner', 'Event'])
          : 'Customer Expansion',
      primary_competitor: competitor,
      next_step: open ? (spec.nextStep ?? this.nextStepFor(spec.stage)) : null,
      is_closed: !open,
      is_won: spec.stage === 'Closed Won',
      loss_reason:
        spec.stage === 'Closed Lost' ? (spec.lossReason ?? this.pick(LOSS_REASONS)) : null,
      created_date: fmtDate(this.day(createdOffset)),
      last_activity_date: fmtDate(lastActivity),
      ...Object.fromEntries(MEDDPICC_FIELDS.map((f) => [`meddpicc_${f}`, meddpicc[f]])),
      meddpicc_score: Math.round(filled * 12.5),
    };
    const opportunity: Opportunity = { row, account, owner, stage: spec.stage, open, competitor };
    this.opportunities.push(opportunity);
    return opportunity;
  }

  private meddpiccFor(
    account: Account,
    stage: string,
    competitor: string | null,
    overrides: Partial<Record<MeddpiccField, string | null>> = {},
  ): Record<MeddpiccField, string | null> {
    const person = (role: string) => {
      const c = account.contacts.find((x) => x.buying_role === role);
      return c ? `${c.full_name}, ${c.title}` : null;
    };
    const all: Record<MeddpiccField, string | null> = {
      metrics: this.pick(METRICS),
      economic_buyer: person('Economic Buyer'),
      decision_criteria: this.pick(DECISION_CRITERIA),
      decision_process: this.pick(DECISION_PROCESSES),
      paper_process: this.pick(PAPER_PROCESSES),
      identify_pain: this.pick(PAINS),
      champion: person('Champion'),
      competition: competitor
        ? `${competitor} under evaluation; status quo is the alternative`
        : 'Status quo (current warehouse) only',
    };
    const range =
      STAGES.find((s) => s.stage === stage)?.meddpicc ?? (stage === 'Closed Won' ? [8, 8] : [2, 6]);
    const keep = this.int(range[0], range[1]);
    // Earlier letters are qualified first; the rest of the fields stay unknown (null).
    const order: MeddpiccField[] = [
      'identify_pain',
      'metrics',
      'competition',
      'champion',
      'decision_criteria',
      'economic_buyer',
      'decision_process',
      'paper_process',
    ];
    const known = new Set(order.slice(0, keep));
    const out = Object.fromEntries(
      MEDDPICC_FIELDS.map((f) => [f, known.has(f) ? all[f] : null]),
    ) as Record<MeddpiccField, string | null>;
    return { ...out, ...overrides };
  }

  private nextStepFor(stage: string): string {
    const steps: Record<string, string[]> = {
      Prospecting: [
        'Book discovery call with the data team',
        'Follow up on the webinar invitation',
      ],
      Discovery: [
        'Schedule technical demo with the sales engineer',
        'Confirm business case numbers with the champion',
      ],
      'Solution Validation': [
        'Run proof of concept on customer data',
        'Share security whitepaper and SOC 2 report',
      ],
      Proposal: ['Review proposal with the economic buyer', 'Answer procurement questionnaire'],
      Negotiate: ['Close out legal redlines', 'Agree mutual close plan and signature date'],
    };
    return this.pick(steps[stage] ?? ['Follow up']);
  }

  private makeOpportunities(account: Account): void {
    if (['IXIS', 'Microsoft', 'TechCorp', 'Acme Corp'].includes(account.name)) return;
    const arrFor = (factor = 1) => {
      const base =
        account.segment === 'Enterprise'
          ? this.int(250, 1_800)
          : account.segment === 'Mid-Market'
            ? this.int(50, 350)
            : this.int(10, 70);
      return Math.round(base * factor) * 1000;
    };
    const openStage = () =>
      this.weighted(STAGES.map((s, i) => [s.stage, [20, 25, 20, 18, 17][i] as number] as const));
    if (account.type === 'Customer' && account.customerSince) {
      const sinceOffset = Math.round(
        (account.customerSince.getTime() - this.asOf.getTime()) / DAY_MS,
      );
      this.addOpportunity(account, {
        what: 'Initial Platform Purchase',
        dealType: 'New Business',
        stage: 'Closed Won',
        arr: Math.round((account.arr * 0.8) / 1000) * 1000 || arrFor(),
        closeOffset: sinceOffset,
        term: 12,
      });
      // The next anniversary: an open renewal when it is within six months.
      let renewal = sinceOffset;
      while (renewal <= 0) renewal += 365;
      if (renewal - 365 > sinceOffset && renewal - 365 > -365) {
        this.addOpportunity(account, {
          what: `Renewal ${this.day(renewal - 365).getUTCFullYear()}`,
          dealType: 'Renewal',
          stage: 'Closed Won',
          arr: account.arr,
          closeOffset: renewal - 365,
          term: 12,
        });
      }
      if (renewal <= 180) {
        const stage =
          account.profile === 'declining'
            ? this.pick(['Discovery', 'Solution Validation', 'Proposal'] as const)
            : this.pick(['Proposal', 'Negotiate'] as const);
        this.addOpportunity(account, {
          what: `Renewal ${this.day(renewal).getUTCFullYear()}`,
          dealType: 'Renewal',
          stage,
          arr: account.arr,
          closeOffset: renewal,
          term: 12,
          owner: account.owner,
          staleDays: account.profile === 'declining' ? this.int(20, 45) : undefined,
        });
      }
      if (account.profile === 'expanding' || this.chance(0.2)) {
        this.addOpportunity(account, {
          what: 'Expansion',
          dealType: 'Expansion',
          stage: openStage(),
          arr: Math.round((account.arr * (0.2 + this.rand() * 0.4)) / 1000) * 1000,
          closeOffset: this.int(10, 200),
        });
      }
      if (this.chance(0.35)) {
        this.addOpportunity(account, {
          what: 'Add-on',
          dealType: 'Expansion',
          stage: this.pick(['Closed Won', 'Closed Lost'] as const),
          arr: arrFor(0.3),
          closeOffset: -this.int(10, 360),
        });
      }
    } else if (account.type === 'Prospect') {
      if (this.chance(0.85)) {
        this.addOpportunity(account, {
          what: this.pick([
            'Platform Evaluation',
            'Analytics Modernization',
            'Warehouse Migration',
            'Real-Time Analytics',
          ]),
          dealType: 'New Business',
          stage: openStage(),
          arr: arrFor(),
          closeOffset: this.int(7, 200),
          staleDays: this.chance(0.15) ? this.int(30, 60) : undefined,
        });
      }
      if (this.chance(0.4)) {
        this.addOpportunity(account, {
          what: 'Initial Evaluation',
          dealType: 'New Business',
          stage: this.pick(['Closed Lost', 'Closed Lost', 'Closed Won'] as const),
          arr: arrFor(),
          closeOffset: -this.int(15, 365),
        });
      }
    } else if (account.type === 'Churned' && account.churnedOn) {
      const churnOffset = Math.round((account.churnedOn.getTime() - this.asOf.getTime()) / DAY_MS);
      this.addOpportunity(account, {
        what: `Renewal ${account.churnedOn.getUTCFullYear()}`,
        dealType: 'Renewal',
        stage: 'Closed Lost',
        arr: arrFor(),
        closeOffset: churnOffset,
        competitor: this.pick(COMPETITORS),
        lossReason: 'Moved to a competitor at renewal',
      });
    }
  }

  private makeNamedDeals(): void {
    const byName = (name: string) => this.accounts.find((a) => a.name === name) as Account;
    this.addOpportunity(byName('IXIS'), {
      what: 'Enterprise Platform',
      dealType: 'New Business',
      stage: 'Negotiate',
      arr: 2_100_000,
      term: 36,
      closeOffset: 24,
      createdOffset: -120,
      owner: this.user('Sarah Johnson'),
      competitor: 'Databricks',
      product: 'Enterprise Platform',
      nextStep: 'Legal redlines due Friday; mutual close plan with CFO sign-off before quarter end',
      staleDays: 2,
      meddpicc: {
        metrics:
          'Cut month-end dashboard latency from 12 s to under 1 s for 400 analysts; save $600K a year in compute',
        economic_buyer: 'Lisa Park, Chief Financial Officer',
        decision_criteria:
          'Sub-second queries at 300+ concurrent users, SOC 2 Type II, dbt compatibility, 3-year TCO below current spend',
        decision_process:
          'Proof of concept (passed) → security review → CFO approval → board sign-off above $5M total contract value',
        paper_process: null,
        identify_pain:
          'Analysts wait minutes for dashboards at month end; warehouse costs grew 60% this year',
        champion: 'Michael Chen, Director of Data Platform',
        competition: 'Databricks SQL shortlisted; incumbent is an on-premise Vertica cluster',
      },
    });
    this.addOpportunity(byName('Microsoft'), {
      what: 'Enterprise Agreement',
      dealType: 'New Business',
      stage: 'Proposal',
      arr: 3_400_000,
      term: 36,
      closeOffset: 55,
      createdOffset: -95,
      owner: this.user('David Kim'),
      competitor: 'Google BigQuery',
      product: 'Enterprise Platform',
      nextStep:
        'Identify the economic buyer and present the proposal to the data platform leadership',
      staleDays: 6,
      meddpicc: {
        metrics: 'Serve 2,000 internal analysts with p95 query latency under 2 s on 300 TB',
        economic_buyer: null,
        decision_criteria:
          'Azure-native deployment, Entra ID SSO, concurrency at scale, committed-spend pricing',
        decision_process:
          'Architecture review board → security and compliance review → procurement',
        paper_process: null,
        identify_pain: 'Internal telemetry dashboards time out during peak hours',
        champion: 'Priya Nair, Principal Program Manager, Data Platform',
        competition: 'Google BigQuery evaluated by a sister team; internal build on Spark',
      },
    });
    const techcorp = byName('TechCorp');
    this.addOpportunity(techcorp, {
      what: 'Initial Platform Purchase',
      dealType: 'New Business',
      stage: 'Closed Won',
      arr: 360_000,
      term: 12,
      closeOffset: -700,
      competitor: 'Amazon Redshift',
    });
    this.addOpportunity(techcorp, {
      what: `Renewal ${this.day(-335).getUTCFullYear()}`,
      dealType: 'Renewal',
      stage: 'Closed Won',
      arr: 480_000,
      term: 12,
      closeOffset: -335,
      competitor: null,
    });
    this.addOpportunity(techcorp, {
      what: 'Seat Expansion',
      dealType: 'Expansion',
      stage: 'Discovery',
      arr: 240_000,
      term: 12,
      closeOffset: 70,
      createdOffset: -45,
      owner: this.user('James Wilson'),
      competitor: null,
      product: 'Analytics Cloud',
      nextStep:
        'Size the additional 120 seats with Sandra Ortiz and agree on a pilot for the finance team',
      staleDays: 4,
    });
    const acme = byName('Acme Corp');
    this.addOpportunity(acme, {
      what: 'Initial Platform Purchase',
      dealType: 'New Business',
      stage: 'Closed Won',
      arr: 520_000,
      term: 24,
      closeOffset: -1_010,
      competitor: 'Amazon Redshift',
    });
    this.addOpportunity(acme, {
      what: `Renewal ${this.day(-280).getUTCFullYear()}`,
      dealType: 'Renewal',
      stage: 'Closed Won',
      arr: 650_000,
      term: 12,
      closeOffset: -280,
      competitor: null,
    });
    this.addOpportunity(acme, {
      what: `Renewal ${this.day(85).getUTCFullYear()}`,
      dealType: 'Renewal',
      stage: 'Proposal',
      arr: 650_000,
      term: 12,
      closeOffset: 85,
      createdOffset: -100,
      owner: this.user('James Wilson'),
      competitor: 'Snowflake',
      product: 'Enterprise Platform',
      nextStep:
        'Executive meeting with Grace Liu to address the Snowflake evaluation and usage decline',
      staleDays: 9,
      meddpicc: {
        metrics: 'Keep month-end close reporting under 5 minutes; current spend $650K a year',
        economic_buyer: 'Grace Liu, Chief Information Officer',
        decision_criteria: 'Total cost versus Snowflake, migration effort, Tableau performance',
        decision_process: null,
        paper_process: null,
        identify_pain: 'Budget cuts: CIO asked every team to consolidate data tools',
        champion: 'Tom Becker, Director of Data Platform',
        competition:
          'Snowflake proposed a migration credit; Databricks pitched to the data science team',
      },
    });
  }

  // --- leads ------------------------------------------------------------------------------

  private makeLeads(): void {
    const sdrs = this.usersWith('Sales Development Rep');
    const kevin = this.user('Kevin Lee');
    this.tables.leads.push({
      lead_id: this.id('00Q'),
      first_name: 'John',
      last_name: 'Smith',
      full_name: 'John Smith',
      title: 'VP of Data Engineering',
      email: 'john.smith@datacorp.example',
      company: 'DataCorp',
      industry: 'Software',
      employee_count: 1_200,
      annual_revenue: 250_000_000,
      country: 'United States',
      region: 'North America',
      tech_stack: 'AWS, Snowflake, dbt, Looker, Kafka',
      lead_source: 'Webinar',
      status: 'Working',
      rating: 'Hot',
      website_visits_30d: 14,
      email_opens_30d: 9,
      content_downloads_30d: 3,
      last_activity_date: fmtDate(this.day(-2)),
      owner_id: kevin.id,
      owner_name: kevin.name,
      created_date: fmtDate(this.day(-21)),
      converted_account_id: null,
      converted_date: null,
    });
    const companies = new Set<string>(['DataCorp']);
    for (let i = 0; i < 399; i++) {
      let company = '';
      do company = `${this.pick(LEAD_COMPANY_WORDS)}${this.pick(LEAD_COMPANY_ENDINGS)}`;
      while (companies.has(company) && companies.size < 180);
      companies.add(company);
      const first = this.pick(FIRST_NAMES);
      const last = this.pick(LAST_NAMES);
      const region = this.weighted([
        ['North America', 55],
        ['EMEA', 25],
        ['APAC', 14],
        ['LATAM', 6],
      ] as const);
      const employees = this.weighted([
        [this.int(20, 199), 35],
        [this.int(200, 999), 35],
        [this.int(1_000, 9_999), 25],
        [this.int(10_000, 60_000), 5],
      ] as const);
      const engaged = this.chance(0.3);
      const status = this.weighted([
        ['New', 25],
        ['Working', 25],
        ['Nurturing', 20],
        ['Qualified', 12],
        ['Unqualified', 10],
        ['Converted', 8],
      ] as const);
      const converted =
        status === 'Converted'
          ? this.pick(this.accounts.filter((a) => a.type !== 'Churned'))
          : undefined;
      const owner = this.pick(sdrs);
      this.tables.leads.push({
        lead_id: this.id('00Q'),
        first_name: first,
        last_name: last,
        full_name: `${first} ${last}`,
        title: this.pick(LEAD_TITLES),
        email: `${first}.${last}@${slug(company)}.example`.toLowerCase(),
        company,
        industry: this.pick(Object.values(SUFFIX_INDUSTRY)),
        employee_count: employees,
        annual_revenue: employees * this.int(90, 400) * 1000,
        country: this.pick(COUNTRIES[region] ?? ['United States']),
        region,
        tech_stack: this.sample(TECHNOLOGIES, this.int(2, 5)).join(', '),
        lead_source: this.pick([
          'Website',
          'Webinar',
          'Event',
          'Outbound',
          'Partner',
          'Content Download',
        ]),
        status,
        rating: engaged ? 'Hot' : this.pick(['Warm', 'Cold', 'Cold']),
        website_visits_30d: engaged ? this.int(6, 25) : this.int(0, 5),
        email_opens_30d: engaged ? this.int(4, 15) : this.int(0, 4),
        content_downloads_30d: engaged ? this.int(1, 5) : this.int(0, 1),
        last_activity_date: fmtDate(this.day(-this.int(0, engaged ? 10 : 90))),
        owner_id: owner.id,
        owner_name: owner.name,
        created_date: fmtDate(this.day(-this.int(5, 300))),
        converted_account_id: converted?.id ?? null,
        converted_date: converted ? fmtDate(this.day(-this.int(5, 200))) : null,
      });
    }
  }

  // --- activities -------------------------------------------------------------------------

  private addActivity(spec: {
    type: string;
    subject: string;
    account?: Account;
    opportunity?: Opportunity;
    contact?: Row;
    leadId?: string;
    owner: User;
    offset: number;
    outcome?: string;
  }): void {
    const when = this.businessHour(spec.offset);
    const future = spec.offset > 0;
    this.tables.activities.push({
      activity_id: this.id('00T'),
      activity_type: spec.type,
      subject: spec.subject,
      account_id: spec.account?.id ?? null,
      opportunity_id: (spec.opportunity?.row.opportunity_id as string | undefined) ?? null,
      contact_id: (spec.contact?.contact_id as string | undefined) ?? null,
      lead_id: spec.leadId ?? null,
      owner_id: spec.owner.id,
      owner_name: spec.owner.name,
      activity_date: fmtTs(when),
      duration_minutes:
        spec.type === 'Email' || spec.type === 'Task' ? null : this.pick([15, 30, 45, 60]),
      status: future
        ? 'Scheduled'
        : spec.type === 'Call' && this.chance(0.15)
          ? 'No Answer'
          : 'Completed',
      outcome: future ? null : (spec.outcome ?? this.pick(ACTIVITY_OUTCOMES)),
    });
  }

  private makeActivities(): void {
    const ses = this.usersWith('Sales Engineer');
    for (const opp of this.opportunities.filter((o) => o.open)) {
      const stale =
        Number(
          new Date(`${opp.row.last_activity_date}T00:00:00Z`).getTime() - this.asOf.getTime(),
        ) / DAY_MS;
      const count = this.int(2, 7);
      for (let i = 0; i < count; i++) {
        const type = this.weighted([
          ['Email', 35],
          ['Call', 25],
          ['Meeting', 20],
          ['Demo', 10],
          ['Task', 10],
        ] as const);
        const offset = i === 0 ? Math.round(stale) : Math.round(stale) - this.int(1, 50);
        this.addActivity({
          type,
          subject: this.pick(ACTIVITY_SUBJECTS[type] ?? ['Follow-up']),
          account: opp.account,
          opportunity: opp,
          contact: opp.account.contacts.length > 0 ? this.pick(opp.account.contacts) : undefined,
          owner: type === 'Demo' ? this.pick(ses) : opp.owner,
          offset,
        });
      }
      if (this.chance(0.4)) {
        this.addActivity({
          type: 'Meeting',
          subject: this.nextStepFor(opp.stage),
          account: opp.account,
          opportunity: opp,
          owner: opp.owner,
          offset: this.int(1, 14),
        });
      }
    }
    for (const account of this.accounts.filter((a) => a.type === 'Customer')) {
      for (let i = 0; i < this.int(1, 3); i++) {
        this.addActivity({
          type: this.pick(['Call', 'Meeting', 'Email'] as const),
          subject: this.pick([
            'Customer check-in',
            'Adoption review',
            'Support escalation follow-up',
            'Executive business review prep',
          ]),
          account,
          contact: account.contacts[0],
          owner: account.csm,
          offset: -this.int(1, 80),
        });
      }
    }
    for (const lead of this.tables.leads) {
      const n = lead.full_name === 'John Smith' ? 4 : this.int(0, 3);
      const owner = this.users.find((u) => u.id === lead.owner_id) as User;
      for (let i = 0; i < n; i++) {
        const type = this.pick(['Email', 'Call', 'Email'] as const);
        this.addActivity({
          type,
          subject:
            lead.full_name === 'John Smith'
              ? ([
                  'Webinar follow-up: real-time analytics',
                  'Intro call with DataCorp data team',
                  'Sent Snowflake cost comparison guide',
                  'Proposed discovery call with AE',
                ][i] as string)
              : this.pick([
                  'Outreach sequence step',
                  'Intro call',
                  'Follow-up on content download',
                  'Event follow-up',
                ]),
          leadId: lead.lead_id as string,
          owner,
          offset: lead.full_name === 'John Smith' ? -[18, 12, 6, 2][i]! : -this.int(0, 120),
          outcome:
            lead.full_name === 'John Smith'
              ? 'Interested; evaluating alternatives to Snowflake for real-time dashboards'
              : undefined,
        });
      }
    }
  }

  // --- Gong calls -------------------------------------------------------------------------

  private makeGongCalls(): void {
    const ses = this.usersWith('Sales Engineer');
    const stageCalls: Record<string, CallKind[]> = {
      Prospecting: [],
      Discovery: ['Discovery call'],
      'Solution Validation': ['Discovery call', 'Product demo', 'Technical deep dive'],
      Proposal: ['Product demo', 'Technical deep dive', 'Pricing discussion'],
      Negotiate: ['Product demo', 'Technical deep dive', 'Pricing discussion', 'Negotiation'],
    };
    const named: Record<string, { kinds: CallKind[]; competitors: string[][]; offsets: number[] }> =
      {
        'Acme Corp': {
          kinds: [
            'Quarterly business review',
            'Pricing discussion',
            'Technical deep dive',
            'Pricing discussion',
          ],
          competitors: [['Snowflake'], ['Snowflake', 'Databricks'], ['Databricks'], ['Snowflake']],
          offsets: [-52, -31, -17, -6],
        },
        IXIS: {
          kinds: [
            'Discovery call',
            'Product demo',
            'Technical deep dive',
            'Pricing discussion',
            'Negotiation',
          ],
          competitors: [[], ['Databricks'], ['Databricks'], ['Databricks'], []],
          offsets: [-80, -62, -45, -20, -4],
        },
        Microsoft: {
          kinds: ['Discovery call', 'Product demo', 'Pricing discussion'],
          competitors: [[], ['Google BigQuery'], ['Google BigQuery']],
          offsets: [-48, -30, -9],
        },
        TechCorp: {
          kinds: ['Quarterly business review', 'Discovery call'],
          competitors: [[], []],
          offsets: [-40, -12],
        },
      };
    for (const opp of this.opportunities.filter((o) => o.open)) {
      const plan = named[opp.account.name];
      if (plan) {
        plan.kinds.forEach((kind, i) => {
          this.addCall(
            opp.account,
            opp,
            kind,
            plan.competitors[i] ?? [],
            plan.offsets[i] ?? -10,
            kind === 'Technical deep dive' ? this.pick(ses) : undefined,
          );
        });
        delete named[opp.account.name];
        continue;
      }
      const kinds = stageCalls[opp.stage] ?? [];
      kinds.forEach((kind, i) => {
        const offset = Math.min(-1, -this.int(2, 85) + i);
        const competitors =
          opp.competitor && this.chance(0.7)
            ? [
                opp.competitor,
                ...(this.chance(0.15)
                  ? [this.pick(COMPETITORS.filter((c) => c !== opp.competitor))]
                  : []),
              ]
            : [];
        this.addCall(
          opp.account,
          opp,
          kind,
          competitors,
          offset,
          kind === 'Product demo' || kind === 'Technical deep dive' ? this.pick(ses) : undefined,
        );
      });
    }
    for (const account of this.accounts.filter(
      (a) => a.type === 'Customer' && a.name !== 'Acme Corp' && a.name !== 'TechCorp',
    )) {
      if (!this.chance(0.45)) continue;
      const competitors =
        account.profile === 'declining' && this.chance(0.5) ? [this.pick(COMPETITORS)] : [];
      this.addCall(account, undefined, 'Quarterly business review', competitors, -this.int(3, 88));
    }
    this.gongCalls.sort((a, b) => String(b.row.started_at).localeCompare(String(a.row.started_at)));
  }

  private addCall(
    account: Account,
    opp: Opportunity | undefined,
    kind: CallKind,
    competitors: string[],
    offset: number,
    engineer?: User,
  ): void {
    const host =
      kind === 'Quarterly business review' && !opp ? account.csm : (opp?.owner ?? account.owner);
    const callId = `7${String(this.int(100, 999))}${String((this.counters.get('gong') ?? 0) + 1).padStart(6, '0')}${String(this.int(100_000_000, 999_999_999))}`;
    this.counters.set('gong', (this.counters.get('gong') ?? 0) + 1);
    const internal: GongParty[] = [host, ...(engineer ? [engineer] : [])].map((u, i) => ({
      speakerId: `${callId.slice(-6)}${i + 1}`,
      name: u.name,
      email: u.email,
      title: u.role,
      affiliation: 'Internal',
      userId: u.id,
    }));
    const externalContacts =
      account.contacts.length > 0
        ? this.sample(account.contacts, Math.min(account.contacts.length, this.int(1, 3)))
        : [];
    const external: GongParty[] = externalContacts.map((c, i) => ({
      speakerId: `${callId.slice(-6)}${i + 5}`,
      name: String(c.full_name),
      email: String(c.email),
      title: String(c.title),
      affiliation: 'External',
    }));
    if (external.length === 0) {
      external.push({
        speakerId: `${callId.slice(-6)}9`,
        name: 'Guest',
        email: `guest@${slug(account.name)}.example`,
        title: 'Guest',
        affiliation: 'External',
      });
    }
    const buyer = account.contacts.find((c) => c.buying_role === 'Economic Buyer');
    const fill = (text: string, competitor?: string) =>
      text
        .replaceAll('{contact}', (external[0]?.name ?? 'there').split(' ')[0] as string)
        .replaceAll('{account}', account.name)
        .replaceAll('{pain}', this.pick(PAINS).toLowerCase())
        .replaceAll('{metric}', this.pick(METRICS).toLowerCase())
        .replaceAll('{buyer}', buyer ? String(buyer.full_name) : 'our CFO')
        .replaceAll('{product}', String(opp?.row.product ?? 'Enterprise Platform'))
        .replaceAll('{arr}', money(Number(opp?.row.arr ?? account.arr)))
        .replaceAll('{competitor}', competitor ?? 'another vendor')
        .replaceAll('{usage}', USAGE_TREND[account.profile]);
    const script: { line: ScriptLine; competitor?: string }[] = CALL_SCRIPTS[kind].map((line) => ({
      line,
    }));
    competitors.forEach((competitor, i) => {
      const lines = i === 0 ? COMPETITOR_LINES : SECOND_COMPETITOR_LINES;
      script.splice(
        2 + i * COMPETITOR_LINES.length,
        0,
        ...lines.map((line) => ({ line, competitor })),
      );
    });
    const turns: GongTurn[] = [];
    let clock = this.int(5, 40);
    script.forEach(({ line, competitor }, index) => {
      const party =
        line.speaker === 'I'
          ? (internal[index % 5 === 3 && internal[1] ? 1 : 0] as GongParty)
          : (external[index % external.length] as GongParty);
      turns.push({
        speakerId: party.speakerId,
        speakerName: party.name,
        affiliation: party.affiliation,
        startSeconds: clock,
        text: fill(line.text, competitor),
      });
      clock += this.int(25, 140);
    });
    const started = this.businessHour(offset);
    const duration = Math.max(clock + this.int(300, 900), this.int(1_500, 3_600));
    const sentiment =
      competitors.length > 0 && account.profile === 'declining'
        ? 'Negative'
        : kind === 'Negotiation' || kind === 'Product demo'
          ? 'Positive'
          : this.pick(['Positive', 'Neutral', 'Neutral']);
    const topics = CALL_TOPICS[kind] + (competitors.length > 0 ? ', Competition' : '');
    const row: Row = {
      call_id: callId,
      title: `${account.name} - ${kind}`,
      started_at: fmtTs(started),
      duration_seconds: duration,
      direction: 'Conference',
      scope: 'External',
      account_id: account.id,
      account_name: account.name,
      opportunity_id: (opp?.row.opportunity_id as string | undefined) ?? null,
      primary_user_id: host.id,
      primary_user_name: host.name,
      participants: [...internal, ...external].map((p) => p.name).join(', '),
      competitors_mentioned: competitors.length > 0 ? competitors.join(', ') : null,
      topics,
      sentiment,
      talk_ratio: Math.round((0.35 + this.rand() * 0.3) * 100) / 100,
      summary: `${kind} with ${account.name}: ${topics.toLowerCase()}.${competitors.length > 0 ? ` The customer brought up ${competitors.join(' and ')}.` : ''}`,
      next_steps: opp
        ? this.nextStepFor(opp.stage)
        : 'Prepare the value report before the renewal conversation',
      call_url: `https://app.gong.io/call?id=${callId}`,
    };
    this.tables.gong_calls.push(row);
    turns.forEach((turn, index) => {
      this.tables.gong_call_transcripts.push({
        call_id: callId,
        turn_index: index,
        speaker_name: turn.speakerName,
        speaker_affiliation: turn.affiliation,
        start_seconds: turn.startSeconds,
        text: turn.text,
      });
    });
    this.gongCalls.push({ row, kind, parties: [...internal, ...external], turns, competitors });
  }

  // --- usage and ARR ----------------------------------------------------------------------

  private makeUsageAndArr(): void {
    const monday = this.day(-((this.asOf.getUTCDay() + 6) % 7));
    for (const account of this.accounts) {
      if (account.type === 'Customer') this.makeUsage(account, monday);
      if ((account.type === 'Customer' || account.type === 'Churned') && account.customerSince)
        this.makeArr(account);
    }
  }

  private makeUsage(account: Account, lastMonday: Date): void {
    const seats =
      account.segment === 'Enterprise'
        ? this.int(200, 1_500)
        : account.segment === 'Mid-Market'
          ? this.int(40, 250)
          : this.int(10, 50);
    const weeks = 26;
    const since = account.customerSince as Date;
    for (let w = weeks - 1; w >= 0; w--) {
      const week = new Date(lastMonday.getTime() - w * 7 * DAY_MS);
      if (week < since) continue;
      const t = (weeks - 1 - w) / (weeks - 1); // 0 (oldest) → 1 (latest)
      let share: number;
      if (account.profile === 'declining') share = w >= 8 ? 0.72 : 0.72 - (0.38 * (8 - w)) / 8;
      else if (account.profile === 'expanding') share = 0.72 + 0.26 * t;
      else if (account.profile === 'flat') share = 0.46;
      else share = 0.62 + 0.08 * t;
      const noise = 1 + (this.rand() - 0.5) * 0.06;
      const active = Math.max(1, Math.min(seats, Math.round(seats * share * noise)));
      const queries = active * this.int(90, 180);
      this.tables.product_usage.push({
        account_id: account.id,
        usage_week: fmtDate(week),
        active_users: active,
        licensed_seats: seats,
        queries_run: queries,
        compute_credits: Math.round(queries * 2.1) / 100,
        storage_gb: Math.round((seats * 8 + (weeks - w) * seats * 0.2) * 100) / 100,
        features_adopted:
          account.profile === 'declining' && w < 8 ? this.int(2, 5) : this.int(6, 11),
        support_tickets: account.profile === 'declining' && w < 8 ? this.int(2, 6) : this.int(0, 2),
      });
    }
  }

  private makeArr(account: Account): void {
    const months: Date[] = [];
    const current = new Date(Date.UTC(this.asOf.getUTCFullYear(), this.asOf.getUTCMonth(), 1));
    const since = account.customerSince as Date;
    const start = new Date(Date.UTC(since.getUTCFullYear(), since.getUTCMonth(), 1));
    for (let m = 23; m >= 0; m--) {
      const month = new Date(Date.UTC(current.getUTCFullYear(), current.getUTCMonth() - m, 1));
      if (month >= start) months.push(month);
    }
    if (months.length === 0) return;
    const churnMonth = account.churnedOn
      ? new Date(Date.UTC(account.churnedOn.getUTCFullYear(), account.churnedOn.getUTCMonth(), 1))
      : undefined;
    // ARR per month, built backwards from today's ARR through the changes of the account's story.
    const values: number[] = new Array(months.length).fill(0);
    let level = account.type === 'Churned' ? this.int(40, 300) * 1000 : account.arr;
    for (let i = months.length - 1; i >= 0; i--) {
      const month = months[i] as Date;
      if (churnMonth && month >= churnMonth) {
        values[i] = 0;
        continue;
      }
      values[i] = level;
      const age = months.length - 1 - i;
      if (account.profile === 'expanding' && age % 5 === 4)
        level = Math.round(level / (1.12 + this.rand() * 0.1) / 1000) * 1000;
      else if (
        account.profile === 'healthy' &&
        month.getUTCMonth() === since.getUTCMonth() &&
        age > 0
      )
        level = Math.round(level / (1.08 + this.rand() * 0.12) / 1000) * 1000;
      else if (account.profile === 'declining' && age === 2)
        level = Math.round(level / 0.85 / 1000) * 1000;
    }
    let previous = 0;
    let first = true;
    months.forEach((month, i) => {
      const arr = values[i] as number;
      if (arr === 0 && previous === 0) return;
      let changeType: string;
      let change = arr - previous;
      if (first) {
        // The window may start after the account became a customer: then nothing changed yet.
        changeType = month.getTime() === start.getTime() ? 'New' : 'Flat';
        if (changeType === 'Flat') change = 0;
        first = false;
      } else if (arr === 0) changeType = 'Churn';
      else changeType = change > 0 ? 'Expansion' : change < 0 ? 'Contraction' : 'Flat';
      this.tables.arr_history.push({
        account_id: account.id,
        arr_month: fmtDate(month),
        arr,
        arr_change: change,
        change_type: changeType,
      });
      previous = arr;
    });
  }

  // --- RevBot's own writes ----------------------------------------------------------------

  private makeAgentWrites(): void {
    const scored = this.sample(
      this.tables.leads.filter((l) => l.status !== 'Converted' && l.full_name !== 'John Smith'),
      40,
    );
    for (const lead of scored) {
      const score = this.int(18, 92);
      const when = fmtTs(this.businessHour(-this.int(1, 60)));
      this.tables.lead_scores.push({
        score_id: `ls-${this.id('LSC').slice(5, 15)}`,
        lead_id: lead.lead_id ?? null,
        score,
        grade: score >= 80 ? 'A' : score >= 60 ? 'B' : score >= 40 ? 'C' : 'D',
        rationale: `Firmographics ${Number(lead.employee_count) >= 1000 ? 'strong' : 'moderate'}; ${lead.website_visits_30d} site visits in 30 days; stack: ${lead.tech_stack}.`,
        scored_by: 'lead_analysis_agent',
        scored_at: when,
        updated_at: when,
      });
    }
    const reviewed = this.sample(
      this.opportunities.filter((o) => o.open),
      30,
    );
    for (const opp of reviewed) {
      const when = fmtTs(this.businessHour(-this.int(1, 45)));
      const gaps = MEDDPICC_FIELDS.filter((f) => opp.row[`meddpicc_${f}`] === null);
      this.tables.deal_notes.push({
        note_id: `dn-${this.id('DNT').slice(5, 15)}`,
        opportunity_id: opp.row.opportunity_id ?? null,
        note_type: gaps.length > 3 ? 'Risk' : 'Deal Review',
        note:
          gaps.length > 0
            ? `MEDDPICC gaps: ${gaps.map((g) => g.replace('_', ' ')).join(', ')}.`
            : 'All MEDDPICC elements confirmed.',
        author: 'deal_analysis_agent',
        created_at: when,
        updated_at: when,
      });
    }
    for (let i = 0; i < 20; i++) {
      const when = fmtTs(this.businessHour(-this.int(0, 30)));
      const type = this.pick(['notification', 'webhook', 'record_write'] as const);
      this.tables.agent_action_log.push({
        action_id: `aa-${this.id('AAL').slice(5, 15)}`,
        session_id: `session-${this.int(10_000, 99_999)}`,
        agent_name: type === 'record_write' ? 'lead_analysis_agent' : 'execution_agent',
        action_type: type,
        target:
          type === 'notification'
            ? '#revenue-alerts'
            : type === 'webhook'
              ? 'hooks.crm.example'
              : 'lead_scores',
        details:
          type === 'notification'
            ? 'Deal risk alert sent to the revenue team'
            : type === 'webhook'
              ? 'Pipeline summary delivered'
              : 'Lead score recorded',
        status: this.weighted([
          ['succeeded', 90],
          ['failed', 10],
        ] as const),
        created_at: when,
        updated_at: when,
      });
    }
  }
}

const USAGE_TREND: Record<Profile, string> = {
  declining: 'active users have dropped over the last two months',
  expanding: 'more teams keep asking for seats',
  healthy: 'usage has been steady',
  flat: 'usage has been flat',
};

const MEDDPICC_FIELDS = [
  'metrics',
  'economic_buyer',
  'decision_criteria',
  'decision_process',
  'paper_process',
  'identify_pain',
  'champion',
  'competition',
] as const;
type MeddpiccField = (typeof MEDDPICC_FIELDS)[number];

const METRICS = [
  'Reduce dashboard load time from 20 s to under 2 s',
  'Cut warehouse spend by 30% within a year',
  'Give 500 analysts self-service access without a data engineering queue',
  'Deliver customer-facing analytics with sub-second latency',
  'Shorten the month-end close reporting from two days to two hours',
];
const DECISION_CRITERIA = [
  'Query performance at high concurrency, security certifications, total cost of ownership',
  'Ease of migration from the current warehouse, dbt support, predictable pricing',
  'Real-time ingestion, SQL compatibility, support quality',
];
const DECISION_PROCESSES = [
  'Technical evaluation → proof of concept → VP approval → procurement',
  'Architecture review → security review → CFO sign-off',
  'Team evaluation → business case to the CIO → contract',
];
const PAPER_PROCESSES = [
  'Security questionnaire, DPA review by legal, PO issued by procurement (3-4 weeks)',
  'Vendor onboarding, MSA redlines, signature by the CFO',
  'Standard order form; procurement requires three quotes above $100K',
];
const PAINS = [
  'Dashboards time out at peak hours',
  'Warehouse costs are growing faster than data volume',
  'Data engineers spend half their time tuning queries',
  'Customer-facing analytics are too slow to ship',
  'Reporting is a day behind because of batch loads',
];
const LOSS_REASONS = [
  'Price',
  'Chose a competitor',
  'No decision / status quo',
  'Budget frozen',
  'Missing feature',
];
const ACTIVITY_OUTCOMES = [
  'Positive; next step agreed',
  'Needs internal alignment',
  'Requested pricing details',
  'Shared technical documentation',
  'Left voicemail',
];
const ACTIVITY_SUBJECTS: Record<string, string[]> = {
  Email: [
    'Follow-up and recap',
    'Proposal sent',
    'Security documentation',
    'Meeting recap and next steps',
  ],
  Call: ['Check-in call', 'Pricing questions', 'Champion sync'],
  Meeting: ['Stakeholder alignment', 'Executive sponsor meeting', 'Procurement review'],
  Demo: ['Technical demo', 'Proof of concept review'],
  Task: ['Update MEDDPICC fields', 'Prepare business case', 'Send order form'],
};

export { CALL_KINDS };
