import { z } from 'zod';

/** The input of `bench.bump`, shared by the bare and the authed router so both validate alike. */
export const bumpInput = z.object({ n: z.number().int() });
