/**
 * The shapes of the account API's answers (docs/accounts.md), as the pages expect them. Every answer is checked
 * against one of these (src/web/accounts/api-client.ts) before a page reads it. Sizes are bounded so that a
 * broken or hostile answer cannot make a page draw without end.
 */
import * as z from 'zod/mini';

const id = z.string().check(z.minLength(1), z.maxLength(128));
const email = z.string().check(z.maxLength(320));
const name = z.string().check(z.maxLength(200));
const role = z.enum(['admin', 'member']);
const whoMayHost = z.enum(['accounts', 'anyone']);
const time = z.number().check(z.minimum(0));

export const sessionUser = z.strictObject({ id, email, displayName: name, role });
export type SessionUser = z.infer<typeof sessionUser>;

export const sessionInfo = z.union([
  z.strictObject({
    signedIn: z.literal(false),
    whoMayHost,
    oidc: z.nullable(z.strictObject({ label: name })),
  }),
  z.strictObject({
    signedIn: z.literal(true),
    user: sessionUser,
    csrf: z.string().check(z.minLength(1), z.maxLength(256)),
    whoMayHost,
    factors: z.strictObject({ password: z.optional(z.boolean()), totp: z.boolean(), passkeys: z.int().check(z.minimum(0)) }),
  }),
]);
export type SessionInfo = z.infer<typeof sessionInfo>;
export type SignedInSession = Extract<SessionInfo, { signedIn: true }>;

/** Answers that only say it worked (and maybe where to go next): their fields are not read. */
export const done = z.looseObject({});

export const passwordStep = z.strictObject({ next: z.enum(['totp', 'passkey']) });

/** `email` and `displayName` are null for the first-start setup link: the first administrator gives them. */
export const enrolment = z.strictObject({ email: z.nullable(email), displayName: z.nullable(name), purpose: z.enum(['setup', 'enrol', 'reset']) });
export const enrolSetup = z.strictObject({ email, displayName: name });

export const totpSetup = z.strictObject({
  secret: z.string().check(z.regex(/^[A-Z2-7]{16,128}=*$/)),
  otpauthUri: z.string().check(z.maxLength(2048), z.startsWith('otpauth://totp/')),
});
export type TotpSetup = z.infer<typeof totpSetup>;

export const adminUser = z.strictObject({ id, email, displayName: name, role, disabled: z.boolean(), createdAt: time });
export type AdminUser = z.infer<typeof adminUser>;
export const adminUsers = z.strictObject({ users: z.array(adminUser).check(z.maxLength(100_000)) });

const link = z.string().check(z.maxLength(2048));
export const enrolLink = z.strictObject({ enrolLink: link });
export const createdUser = z.strictObject({ user: adminUser, enrolLink: link });

export const auditEvent = z.strictObject({
  id: z.int(),
  at: time,
  type: z.string().check(z.maxLength(64)),
  userId: z.nullable(id),
  address: z.string().check(z.maxLength(128)),
  detail: z.nullable(z.string().check(z.maxLength(128))),
});
export type AuditEntry = z.infer<typeof auditEvent>;
export const auditPage = z.strictObject({ events: z.array(auditEvent).check(z.maxLength(1000)) });
