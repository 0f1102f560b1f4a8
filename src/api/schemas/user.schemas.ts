import { z } from 'zod';
import { ROLES } from '../../domain/stages.ts';

export const userSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    disabled: z.boolean(),
    disabledAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });

export const tokenSchema = z
  .object({
    id: z.uuid(),
    userId: z.uuid(),
    label: z.string().nullable(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().describe('kept to the minute'),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Token' });

export type UserRepresentation = z.output<typeof userSchema>;
export type TokenRepresentation = z.output<typeof tokenSchema>;
