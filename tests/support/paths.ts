/** Paths the suites share: the repository root, wherever a suite sits under tests/. */
import { resolve } from 'node:path';

/** The repository root (this file is tests/support/paths.ts). */
export const ROOT = resolve(__dirname, '..', '..');
