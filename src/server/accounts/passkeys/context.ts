/**
 * What the passkey endpoints need from the rest of the accounts subsystem: a part of AUTH's AccountsContext
 * (src/server/accounts/context.ts), named here so that the passkey code says what it uses.
 */
import type { AccountsContext } from '../context.ts';

export type PasskeyContext = Pick<
  AccountsContext,
  'config' | 'db' | 'log' | 'users' | 'sessions' | 'credentials' | 'enrolment' | 'audit' | 'auditRefusal' | 'throttle' | 'clientAddress' | 'now'
>;
