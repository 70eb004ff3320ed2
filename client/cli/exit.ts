/** The exit codes of every `s15n` command (DESIGN §6): 0 done, 1 failed, 2 bad usage, 3 done but conflicts remain. */
export const EXIT = { ok: 0, failed: 1, usage: 2, conflicts: 3 } as const;
