/** The request bodies of AUTH's endpoints: strict (an unknown field is a 400), bounded. */
import * as z from 'zod/mini';
import { MAX_PASSWORD_LENGTH } from '../passwords.ts';

export const email = z.string().check(z.minLength(3), z.maxLength(254));
export const password = z.string().check(z.minLength(1), z.maxLength(MAX_PASSWORD_LENGTH));
export const totpCode = z.string().check(z.regex(/^\d{6}$/));
/** 256-bit tokens, base64url. */
export const token = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/));
export const displayName = z.string().check(z.minLength(1), z.maxLength(100), z.regex(/^[^\p{Cc}\p{Cf}]+$/u));
export const role = z.enum(['admin', 'member']);

export const passwordSignIn = z.strictObject({ email, password });
export const totpSignIn = z.strictObject({ code: totpCode });
export const empty = z.strictObject({});
export const tokenOnly = z.strictObject({ token });
export const enrolSetup = z.strictObject({ token, email, displayName });
export const enrolPassword = z.strictObject({ token, password });
export const enrolTotpFinish = z.strictObject({ token, code: totpCode });
export const newUser = z.strictObject({ email, displayName, role });
