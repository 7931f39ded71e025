/**
 * `cronos train`'s parser and --help, now derived from the parameter tables, against the
 * hand-written parser they replaced: every outcome below (parsed arguments, or the exact usage
 * error) and the --help text were recorded from that parser before the change.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseArgs, usageFor } from '../../cli/args';
import { METHOD_IDS } from '../../solver/methods/index';

const USAGE = usageFor();
import { DEFAULT_CONFIG, PAPER_CONFIG } from '../../solver/types';

/** argv, and JSON.stringify of the result or `UsageError: message`. */
const RECORDED: [string[], string][] = [
  [[], "UsageError: no command given; use `train` or `race` (see --help)."],
  [["fit"], "UsageError: unknown command \"fit\"; the commands are `train` and `race` (see --help)."],
  [["train"], "UsageError: --data TRAIN.csv is required."],
  [["train", "--data", "a.csv"], "{\"help\":false,\"args\":{\"data\":\"a.csv\",\"device\":\"gpu\",\"config\":{\"model\":\"relu\",\"P\":32,\"beta\":0.001,\"rho\":0.1,\"adaptiveRho\":false,\"rank\":10,\"admmIters\":50,\"pcgIters\":20,\"tol\":0.000001,\"seed\":0,\"warmStart\":true,\"preconditioner\":\"auto\"}}}"],
  [["train", "--data", "a.csv", "--P", "0"], "UsageError: --P: \"0\" is not an integer ≥ 1."],
  [["train", "--data", "a.csv", "--device", "tpu"], "UsageError: --device: \"tpu\" is not a device; use gpu or cpu."],
  [["train", "--data", "a.csv", "--model", "linear"], "UsageError: --model: \"linear\" is not a model; use relu or gated."],
  [["train", "--data", "a.csv", "--rank", "-1"], "UsageError: --rank: \"-1\" is not an integer in [0, 4294967295]."],
  [["train", "--data", "a.csv", "--rank", "5000000000"], "UsageError: --rank: \"5000000000\" is not an integer in [0, 4294967295]."],
  [["train", "--data", "a.csv", "--split", "1"], "UsageError: --split: \"1\" is not a fraction strictly between 0 and 1."],
  [["train", "--data", "a.csv", "--split", "0.25"], "{\"help\":false,\"args\":{\"data\":\"a.csv\",\"split\":0.25,\"device\":\"gpu\",\"config\":{\"model\":\"relu\",\"P\":32,\"beta\":0.001,\"rho\":0.1,\"adaptiveRho\":false,\"rank\":10,\"admmIters\":50,\"pcgIters\":20,\"tol\":0.000001,\"seed\":0,\"warmStart\":true,\"preconditioner\":\"auto\"}}}"],
  [["train", "--data", "a.csv", "--split", "0.2", "--test", "b.csv"], "UsageError: --split and --test exclude each other: a test file is already a held-out set."],
  [["train", "--data", "a.csv", "--tol", "0"], "UsageError: --tol: \"0\" is not a number > 0."],
  [["train", "--data", "a.csv", "--beta", "-1"], "UsageError: --beta: \"-1\" is not a number ≥ 0."],
  [["train", "--data", "a.csv", "--seed", "1.5"], "UsageError: --seed: \"1.5\" is not an integer in [0, 4294967295]."],
  [["train", "--data", "a.csv", "--no-warm-start=1"], "UsageError: --no-warm-start takes no value."],
  [["train", "--data", "a.csv", "--admm-iter", "5"], "UsageError: unknown option --admm-iter; see --help."],
  [["train", "--data", "a.csv", "--p", "8"], "UsageError: unknown option --p (did you mean --P?); see --help."],
  [["train", "--data", "a.csv", "--P", "8", "--P", "9"], "UsageError: --P is given more than once."],
  [["train", "--data", "a.csv", "--P"], "UsageError: --P needs a value."],
  [["train", "--data", "a.csv", "--P", "--rho"], "UsageError: --P needs a value, got the option --rho."],
  [["train", "--data", "a.csv", "--rho", "abc"], "UsageError: --rho: \"abc\" is not a number."],
  [["train", "--data", "a.csv", "--rho", "1e999"], "UsageError: --rho: \"1e999\" is not a finite number."],
  [["train", "--data", "a.csv", "extra"], "UsageError: unexpected argument \"extra\"; every option is a --flag (see --help)."],
  [["train", "--data", "a.csv", "--data="], "UsageError: --data is given more than once."],
  [["train", "--data="], "UsageError: --data: \"\" is not a non-empty value."],
  [["train", "--data", "a.csv", "--no-warm-start", "--adaptive-rho", "--pcg-tol", "0", "--P=2000", "--beta=0", "--rho", ".5", "--rank", "0", "--admm-iters", "7", "--pcg-iters", "3", "--tol", "1e-9", "--seed", "4294967295", "--model", "gated", "--device", "cpu", "--out", "o.json", "--export-problem", "p.json", "--label", "y", "--test", "t.csv"], "{\"help\":false,\"args\":{\"data\":\"a.csv\",\"test\":\"t.csv\",\"label\":\"y\",\"device\":\"cpu\",\"out\":\"o.json\",\"exportProblem\":\"p.json\",\"config\":{\"model\":\"gated\",\"P\":2000,\"beta\":0,\"rho\":0.5,\"adaptiveRho\":true,\"rank\":0,\"admmIters\":7,\"pcgIters\":3,\"tol\":1e-9,\"seed\":4294967295,\"warmStart\":false,\"preconditioner\":\"auto\",\"pcgTol\":0}}}"],
  [["train", "--data", "a.csv", "--out", "x", "--export-problem", "x"], "UsageError: --out and --export-problem name the same file."],
  [["train", "--data", "a.csv", "-v"], "UsageError: unknown option -v; see --help."],
  [["train", "--help"], "{\"help\":true}"],
  [["train", "--data", "a.csv", "--pcg-tol", "-1"], "UsageError: --pcg-tol: \"-1\" is not a number ≥ 0."],
];

function outcome(argv: string[]): string {
  try {
    const r = parseArgs(argv);
    if (r.help) return JSON.stringify({ help: true });
    // Recorded before methods existed: the method (always cronos here) and its settings are checked apart.
    const { method, settings, ...rest } = r.args;
    expect([method, settings]).toEqual(['cronos', rest.config]);
    return JSON.stringify({ help: false, args: rest });
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('cli/args from the tables', () => {
  // The hand-written version's text, byte for byte, plus the --resume, --save-state and --simulate-device-loss lines added since,
  // and --preconditioner (whose default 'auto' now also appears in every parsed config below).
  it('--help is the text of the hand-written version, byte for byte (plus the flags added since)', () => {
    // …and the one line `--method` added with the registry, at the head of the method's flags.
    const methodLine = `${`  --method ${METHOD_IDS.join('|')}`.padEnd(23)}  training method (--help --method ID lists its flags) (default cronos)\n`;
    expect(USAGE).toContain(`model and solver\n${methodLine}  --model relu|gated`);
    expect(USAGE.replace(methodLine, '')).toBe(readFileSync(new URL('./fixtures/usage-before-table.txt', import.meta.url), 'utf8'));
  });

  it('parses and rejects exactly as before (the config with the defaults issue 9 changed)', () => {
    for (const [argv, expected] of RECORDED) {
      if (!expected.startsWith('{"help":false')) {
        expect(outcome(argv), argv.join(' ')).toBe(expected);
        continue;
      }
      const want = JSON.parse(expected) as { args: { config: Record<string, unknown> } };
      // Issue 9 moved the defaults (certified-gap stopping, α, ρ = c·β, 100 PCG iterations); flags given keep their value, and --rho alone sets c = 0.
      const given = (flag: string): boolean => argv.some((a) => a === flag || a.startsWith(`${flag}=`));
      const moved: Record<string, unknown> = { alpha: 1.6, anderson: 10, rhoRace: 0, rhoBeta: given('--rho') ? 0 : 0.5, stopRule: 'gap' };
      if (!given('--admm-iters')) moved.admmIters = 1500;
      if (!given('--tol')) moved.tol = 1e-4;
      if (!given('--pcg-iters')) moved.pcgIters = 100;
      want.args.config = { ...want.args.config, ...moved };
      expect(JSON.parse(outcome(argv)), argv.join(' ')).toEqual(want);
    }
  });

  it('--paper gives the official settings; explicit flags still win', () => {
    const r = parseArgs(['train', '--data', 'a.csv', '--paper', '--P', '8']);
    if (r.help) throw new Error('help');
    expect(r.args.config).toStrictEqual({ ...PAPER_CONFIG, P: 8 });
  });

  it('a bare command line trains with the solver defaults on the GPU', () => {
    const r = parseArgs(['train', '--data', 'a.csv']);
    if (r.help) throw new Error('help');
    expect(r.args.config).toStrictEqual(DEFAULT_CONFIG);
    expect(r.args.device).toBe('gpu');
  });

  it('--simulate-device-loss K: a whole number ≥ 1, and only with the GPU', () => {
    const r = parseArgs(['train', '--data', 'a.csv', '--simulate-device-loss', '7']);
    if (r.help) throw new Error('help');
    expect(r.args.simulateDeviceLoss).toBe(7);
    expect(outcome(['train', '--data', 'a.csv', '--simulate-device-loss', '0'])).toMatch(/^UsageError: --simulate-device-loss: "0" is not an integer/);
    expect(outcome(['train', '--data', 'a.csv', '--simulate-device-loss', '3', '--device', 'cpu'])).toBe('UsageError: --simulate-device-loss destroys the GPU device, so it needs --device gpu.');
  });
});

describe('the data line', () => {
  it('lists a few class names and counts the rest (1,000 classes would flood the terminal)', async () => {
    const { shortList, MAX_LISTED_CLASSES } = await import('../../cli/data');
    expect(shortList(['a', 'b'])).toBe('a, b');
    const many = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const line = shortList(many);
    expect(line.split(', ').length).toBe(MAX_LISTED_CLASSES + 1);
    expect(line.endsWith(`… and ${1000 - MAX_LISTED_CLASSES} more`)).toBe(true);
    expect(line.startsWith('c0, c1, c2')).toBe(true);
  });
});
