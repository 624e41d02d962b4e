/** Randomness adapters for the domain's ports (uids, generated passwords, instance secrets). */
import { randomBytes, randomInt } from 'node:crypto';
import { generateUid } from '../domain/uid.ts';

export const newUid = (): string => generateUid((n) => randomInt(n));

/** 20 random characters plus one of each class DHIS2's password rule asks for. */
export const newPassword = (): string => `${randomBytes(15).toString('base64url')}Aa1!`;

export const newSecret = (bytes = 32): string => randomBytes(bytes).toString('base64');
