/**
 * Every schema migration of Sabha, in the order they are applied. Each domain keeps its own list beside its
 * code; a new migration goes at the end of its domain's list, and a new domain's list at the end here.
 * Never edit or reorder a migration that has shipped: databases out there have already applied it.
 */
import { ACCOUNTS_MIGRATIONS } from '../accounts/schema.ts';
import { PASSKEYS_MIGRATIONS } from '../accounts/passkeys/schema.ts';
import { SCHEDULES_MIGRATIONS } from '../schedules/schema.ts';
import type { Migration } from './database.ts';

export const MIGRATIONS: readonly Migration[] = [...ACCOUNTS_MIGRATIONS, ...PASSKEYS_MIGRATIONS, ...SCHEDULES_MIGRATIONS];
