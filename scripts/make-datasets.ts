/**
 * `npm run data [-- --root DIR ...]`: writes the built-in datasets into public/datasets/ from
 * Debian packages, reproducibly (same packages → byte-identical files; no timestamps, no
 * randomness). Sources, looked up under each --root DIR (or $CRONOS_DATASET_ROOT) and then /:
 *
 *   dataset-fashion-mnist  /usr/share/datasets/fashion-mnist/*-ubyte.gz         (MIT, Zalando SE)
 *   python3-sklearn        /usr/lib/python3/dist-packages/sklearn/datasets/data  (BSD-3-Clause; UCI)
 *   r-cran-palmerpenguins  /usr/lib/R/site-library/palmerpenguins/extdata         (CC0)
 *
 * A package that is not installed can be unpacked without installing it (r-cran-palmerpenguins
 * would otherwise pull in R): `apt-get download PKG && dpkg-deb -x PKG_*.deb DIR`, then pass
 * `--root DIR`. Files are plain CSV (never *.gz: Vite's dev server would send those with
 * Content-Encoding: gzip), and the whole folder is kept under 4 MiB so it can be committed.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { parseCsv, tableToDataset } from '../data/csv';

const OUT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'datasets');
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;

/** A Debian package that provides source files. */
interface SourcePackage {
  apt: string;
  /** Directory of the package's Debian changelog (for the version). */
  docDir: string;
}

const FMNIST_PKG: SourcePackage = { apt: 'dataset-fashion-mnist', docDir: '/usr/share/doc/dataset-fashion-mnist' };
const SKLEARN_PKG: SourcePackage = { apt: 'python3-sklearn', docDir: '/usr/share/doc/python3-sklearn' };
const PENGUINS_PKG: SourcePackage = { apt: 'r-cran-palmerpenguins', docDir: '/usr/share/doc/r-cran-palmerpenguins' };

class SourceMissingError extends Error {}

function parseRoots(argv: string[]): string[] {
  const roots: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root' && i + 1 < argv.length) roots.push(resolve(argv[++i]));
    else if (a.startsWith('--root=')) roots.push(resolve(a.slice(7)));
    else if (a === '--help' || a === '-h') {
      process.stdout.write('usage: npm run data [-- --root DIR ...]\n  DIR: where `dpkg-deb -x PKG.deb DIR` unpacked a source package\n');
      process.exit(0);
    } else throw new Error(`unknown argument ${JSON.stringify(a)}; usage: npm run data [-- --root DIR ...]`);
  }
  const env = process.env.CRONOS_DATASET_ROOT;
  if (env) roots.push(...env.split(':').filter((s) => s !== '').map((s) => resolve(s)));
  roots.push('/');
  return roots;
}

/** The first existing `root + path`, or a message that says which package to install. */
function locateFile(roots: string[], pkg: SourcePackage, path: string): string {
  for (const r of roots) {
    const p = join(r, path);
    if (existsSync(p)) return p;
  }
  throw new SourceMissingError(
    `missing ${path} (Debian package ${pkg.apt}). Install it with \`apt-get install -y ${pkg.apt}\`, ` +
      `or unpack it without installing: \`apt-get download ${pkg.apt} && dpkg-deb -x ${pkg.apt}_*.deb DIR\` ` +
      'and run `npm run data -- --root DIR`.',
  );
}

/** Package version from the first line of its Debian changelog, e.g. "0.1.1-1". */
function packageVersion(roots: string[], pkg: SourcePackage): string {
  const log = gunzipSync(readFileSync(locateFile(roots, pkg, join(pkg.docDir, 'changelog.Debian.gz')))).toString('utf8');
  const m = /^\S+ \(([^)]+)\)/.exec(log);
  return m ? m[1] : 'unknown';
}

// ---------------------------------------------------------------- IDX (Fashion-MNIST)

interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  pixels: Uint8Array;
  labels: Uint8Array;
}

function readIdx(imagesPath: string, labelsPath: string): IdxImages {
  const img = gunzipSync(readFileSync(imagesPath));
  const lbl = gunzipSync(readFileSync(labelsPath));
  if (img.readUInt32BE(0) !== 2051 || lbl.readUInt32BE(0) !== 2049) throw new Error(`${imagesPath}: not an IDX image/label pair`);
  const count = img.readUInt32BE(4);
  if (lbl.readUInt32BE(4) !== count) throw new Error(`${imagesPath}: ${count} images but ${lbl.readUInt32BE(4)} labels`);
  return {
    count,
    rows: img.readUInt32BE(8),
    cols: img.readUInt32BE(12),
    pixels: new Uint8Array(img.buffer, img.byteOffset + 16, count * img.readUInt32BE(8) * img.readUInt32BE(12)),
    labels: new Uint8Array(lbl.buffer, lbl.byteOffset + 8, count),
  };
}

/** Indices of the first `perClass` images of each of `classes`, in file order (deterministic, balanced). */
function firstOfClasses(idx: IdxImages, classes: number[], perClass: number): number[] {
  const taken = new Map(classes.map((c) => [c, 0]));
  const out: number[] = [];
  for (let i = 0; i < idx.count; i++) {
    const t = taken.get(idx.labels[i]);
    if (t !== undefined && t < perClass) {
      out.push(i);
      taken.set(idx.labels[i], t + 1);
    }
  }
  for (const [c, t] of taken) if (t < perClass) throw new Error(`only ${t} images of class ${c}, wanted ${perClass}`);
  return out;
}

/** CSV of images `which`, pixels x[::stride, ::stride] named px_r_c, label from `names`. */
function imagesCsv(idx: IdxImages, which: number[], stride: number, names: Map<number, string>): string {
  const keep: number[] = [];
  const header: string[] = [];
  for (let r = 0; r < idx.rows; r += stride) {
    for (let c = 0; c < idx.cols; c += stride) {
      keep.push(r * idx.cols + c);
      header.push(`px_${r / stride}_${c / stride}`);
    }
  }
  header.push('label');
  const lines = [header.join(',')];
  const size = idx.rows * idx.cols;
  for (const i of which) {
    const base = i * size;
    const cells = keep.map((k) => String(idx.pixels[base + k]));
    cells.push(names.get(idx.labels[i]) ?? String(idx.labels[i]));
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- sklearn + penguins

const BREAST_CANCER_FEATURES = [
  'mean_radius', 'mean_texture', 'mean_perimeter', 'mean_area', 'mean_smoothness', 'mean_compactness', 'mean_concavity',
  'mean_concave_points', 'mean_symmetry', 'mean_fractal_dimension', 'radius_error', 'texture_error', 'perimeter_error',
  'area_error', 'smoothness_error', 'compactness_error', 'concavity_error', 'concave_points_error', 'symmetry_error',
  'fractal_dimension_error', 'worst_radius', 'worst_texture', 'worst_perimeter', 'worst_area', 'worst_smoothness',
  'worst_compactness', 'worst_concavity', 'worst_concave_points', 'worst_symmetry', 'worst_fractal_dimension',
];

/** sklearn's breast_cancer.csv: first line `569,30,malignant,benign`, then 30 values + target 0/1. */
function breastCancerCsv(path: string): string {
  const src = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const [nStr, dStr, ...targetNames] = src[0].split(',');
  const n = Number(nStr);
  const d = Number(dStr);
  if (d !== BREAST_CANCER_FEATURES.length || src.length - 1 !== n) throw new Error(`${path}: unexpected shape ${src[0]}`);
  const lines = [[...BREAST_CANCER_FEATURES, 'diagnosis'].join(',')];
  for (const row of src.slice(1)) {
    const cells = row.split(',');
    if (cells.length !== d + 1) throw new Error(`${path}: row with ${cells.length} fields`);
    const target = targetNames[Number(cells[d])];
    if (target === undefined) throw new Error(`${path}: bad target ${cells[d]}`);
    lines.push([...cells.slice(0, d), target].join(','));
  }
  return lines.join('\n') + '\n';
}

/** sklearn's digits.csv.gz: no header, 64 pixel values 0..16 then the digit. */
function digitsCsv(path: string): string {
  const src = gunzipSync(readFileSync(path)).toString('utf8').trim().split(/\r?\n/);
  const header: string[] = [];
  for (let i = 0; i < 64; i++) header.push(`pixel_${Math.floor(i / 8)}_${i % 8}`);
  header.push('digit');
  const lines = [header.join(',')];
  for (const row of src) {
    const cells = row.split(',').map((c) => String(Number(c)));
    if (cells.length !== 65) throw new Error(`${path}: row with ${cells.length} fields`);
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}

/** palmerpenguins' penguins.csv: the 4 numeric measurements and the species, complete rows only. */
function penguinsCsv(path: string): string {
  const src = readFileSync(path, 'utf8').trim().split(/\r?\n/);
  const head = src[0].split(',');
  const cols = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'].map((c) => head.indexOf(c));
  const species = head.indexOf('species');
  if (cols.some((c) => c < 0) || species < 0) throw new Error(`${path}: unexpected header ${src[0]}`);
  const lines = ['bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,species'];
  for (const row of src.slice(1)) {
    const cells = row.split(',');
    const values = cols.map((c) => cells[c]);
    if (values.some((v) => v === 'NA' || v === '')) continue;
    lines.push([...values, cells[species]].join(','));
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- manifest and licences

/** One file of a dataset, as listed in index.json. */
interface ManifestFile {
  role: 'train' | 'test' | 'all';
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
  classCounts: Record<string, number>;
}

/** One entry of public/datasets/index.json. */
interface ManifestEntry {
  id: string;
  title: string;
  description: string;
  files: ManifestFile[];
  n: number;
  d: number;
  /** Class names in the order the CSV parser assigns indices (binary: first ↦ −1, second ↦ +1). */
  classes: string[];
  label: string;
  image: { width: number; height: number } | null;
  source: { package: string; version: string; files: string[] };
  licence: string;
  citation: string;
  notes: string;
}

const FMNIST_CITATION =
  'Han Xiao, Kashif Rasul, Roland Vollgraf. Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747, 2017.';
const BREAST_CITATION =
  'W. N. Street, W. H. Wolberg, O. L. Mangasarian. Nuclear feature extraction for breast tumor diagnosis. IS&T/SPIE 1993. ' +
  'Breast Cancer Wisconsin (Diagnostic), UCI Machine Learning Repository; copy from scikit-learn (Pedregosa et al., JMLR 12, 2011).';
const DIGITS_CITATION =
  'E. Alpaydin, C. Kaynak. Optical Recognition of Handwritten Digits, UCI Machine Learning Repository, 1998; ' +
  'copy from scikit-learn (Pedregosa et al., JMLR 12, 2011).';
const PENGUINS_CITATION =
  'Horst AM, Hill AP, Gorman KB (2020). palmerpenguins: Palmer Archipelago (Antarctica) penguin data. R package version 0.1.0. ' +
  'Data: Gorman KB, Williams TD, Fraser WR (2014) PLoS ONE 9(3): e90081.';

const EXPAT = `Permission is hereby granted, free of charge, to any person obtaining a
copy of this software and associated documentation files (the "Software"),
to deal in the Software without restriction, including without limitation
the rights to use, copy, modify, merge, publish, distribute, sublicense,
and/or sell copies of the Software, and to permit persons to whom the
Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included
in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.`;

const BSD3 = `Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:
1. Redistributions of source code must retain the above copyright
   notice, this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in the
   documentation and/or other materials provided with the distribution.
3. Neither the name of the University nor the names of its contributors
   may be used to endorse or promote products derived from this software
   without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS
\`\`AS IS'' AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT
LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR
A PARTICULAR PURPOSE ARE DISCLAIMED.  IN NO EVENT SHALL THE HOLDERS OR
CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL,
EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO,
PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR
PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF
LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING
NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.`;

function licensesMd(): string {
  return `# Licences of the built-in datasets

The files in this folder are written by \`npm run data\` (scripts/make-datasets.ts) from Debian
packages; \`index.json\` lists each file with its source package, version, size and SHA-256.
They are redistributed under the licences below.

## Fashion-MNIST (fmnist-pullover-bag-*.csv)

Subsets of Fashion-MNIST (classes 2 "Pullover" and 8 "Bag"), from the Debian package
\`dataset-fashion-mnist\`. Licence: MIT (Expat).

Copyright (c) 2017 Zalando SE, https://tech.zalando.com

${EXPAT}

Citation: ${FMNIST_CITATION}

## Breast Cancer Wisconsin (Diagnostic) (breast-cancer.csv) and Digits 8×8 (digits-8x8.csv)

Copies of the tables bundled with scikit-learn, from the Debian package \`python3-sklearn\`.
Licence: BSD-3-Clause. The original data sets come from the UCI Machine Learning Repository
(which distributes them under CC BY 4.0): please cite the creators below.

Copyright (c) 2007-2019 Scikit-Learn Developers

${BSD3}

Citations:
- ${BREAST_CITATION}
- ${DIGITS_CITATION}

## Palmer penguins (penguins.csv)

From the R package palmerpenguins (Debian package \`r-cran-palmerpenguins\`); rows with a missing
measurement were dropped and only the four numeric measurements and the species were kept.
Licence: CC0 1.0 Universal (public domain dedication), by Allison Horst, Alison Hill and
Kristen Gorman (2019-2020). No rights reserved; attribution is requested:

Citation: ${PENGUINS_CITATION}
`;
}

// ---------------------------------------------------------------- main

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw e;
  }
}

/** Parses `text` with the app's own CSV reader, so a shipped file can never fail to load. */
function describe(role: ManifestFile['role'], path: string, text: string, label: string): { file: ManifestFile; d: number; classes: string[] } {
  const ds = tableToDataset(parseCsv(text, path), { label });
  const classCounts: Record<string, number> = {};
  for (const c of ds.classNames) classCounts[c] = 0;
  for (const l of ds.labels) classCounts[ds.classNames[l]]++;
  return { file: { role, path, rows: ds.n, bytes: Buffer.byteLength(text), sha256: sha256(text), classCounts }, d: ds.d, classes: ds.classNames };
}

function main(): void {
  const roots = parseRoots(process.argv.slice(2));
  const FM = '/usr/share/datasets/fashion-mnist';
  const SK = '/usr/lib/python3/dist-packages/sklearn/datasets/data';
  const PG = '/usr/lib/R/site-library/palmerpenguins/extdata/penguins.csv';
  // Locate everything first so a missing package fails before any file is written.
  const src = {
    fmTrainImg: locateFile(roots, FMNIST_PKG, `${FM}/train-images-idx3-ubyte.gz`),
    fmTrainLbl: locateFile(roots, FMNIST_PKG, `${FM}/train-labels-idx1-ubyte.gz`),
    fmTestImg: locateFile(roots, FMNIST_PKG, `${FM}/t10k-images-idx3-ubyte.gz`),
    fmTestLbl: locateFile(roots, FMNIST_PKG, `${FM}/t10k-labels-idx1-ubyte.gz`),
    breast: locateFile(roots, SKLEARN_PKG, `${SK}/breast_cancer.csv`),
    digits: locateFile(roots, SKLEARN_PKG, `${SK}/digits.csv.gz`),
    penguins: locateFile(roots, PENGUINS_PKG, PG),
  };
  const versions = {
    fm: packageVersion(roots, FMNIST_PKG),
    sk: packageVersion(roots, SKLEARN_PKG),
    pg: packageVersion(roots, PENGUINS_PKG),
  };

  mkdirSync(OUT_DIR, { recursive: true });
  const fmTrain = readIdx(src.fmTrainImg, src.fmTrainLbl);
  const fmTest = readIdx(src.fmTestImg, src.fmTestLbl);
  const fmNames = new Map([
    [2, 'pullover'],
    [8, 'bag'],
  ]);
  const outputs: { entry: Omit<ManifestEntry, 'files' | 'n' | 'd' | 'classes'>; files: { role: ManifestFile['role']; name: string; text: string }[] }[] = [];

  const fmSource = (files: string[]) => ({ package: 'dataset-fashion-mnist', version: versions.fm, files });
  const fmNotes =
    'Balanced, deterministic subset: the first images of each class in the original file order. ' +
    'Classes sort as ["bag", "pullover"], so bag ↦ −1 and pullover ↦ +1 (the paper uses the opposite sign; accuracy is unaffected). Integer pixels 0–255.';
  outputs.push({
    entry: {
      id: 'fmnist-pullover-bag-10x10',
      title: 'Fashion-MNIST Pullover vs Bag, 10×10',
      description: "The CRONOS paper's binary task: Fashion-MNIST classes 2 (Pullover) and 8 (Bag), downsampled x[::3, ::3] to 10×10 = 100 features; 3000 train (1500 per class) + 1000 test (500 per class).",
      label: 'label',
      image: { width: 10, height: 10 },
      source: fmSource(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']),
      licence: 'MIT (© 2017 Zalando SE)',
      citation: FMNIST_CITATION,
      notes: fmNotes,
    },
    files: [
      { role: 'train', name: 'fmnist-pullover-bag-10x10-train.csv', text: imagesCsv(fmTrain, firstOfClasses(fmTrain, [2, 8], 1500), 3, fmNames) },
      { role: 'test', name: 'fmnist-pullover-bag-10x10-test.csv', text: imagesCsv(fmTest, firstOfClasses(fmTest, [2, 8], 500), 3, fmNames) },
    ],
  });
  outputs.push({
    entry: {
      id: 'fmnist-pullover-bag-28x28',
      title: 'Fashion-MNIST Pullover vs Bag, 28×28',
      description: 'Fashion-MNIST classes 2 (Pullover) and 8 (Bag) at full resolution, 784 features; 600 train (300 per class) + 300 test (150 per class).',
      label: 'label',
      image: { width: 28, height: 28 },
      source: fmSource(['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz', 't10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz']),
      licence: 'MIT (© 2017 Zalando SE)',
      citation: FMNIST_CITATION,
      notes: fmNotes,
    },
    files: [
      { role: 'train', name: 'fmnist-pullover-bag-28x28-train.csv', text: imagesCsv(fmTrain, firstOfClasses(fmTrain, [2, 8], 300), 1, fmNames) },
      { role: 'test', name: 'fmnist-pullover-bag-28x28-test.csv', text: imagesCsv(fmTest, firstOfClasses(fmTest, [2, 8], 150), 1, fmNames) },
    ],
  });
  outputs.push({
    entry: {
      id: 'breast-cancer',
      title: 'Breast cancer (Wisconsin diagnostic)',
      description: '569 tumours, 30 real-valued features of cell nuclei; benign vs malignant. One file: split it for a test accuracy.',
      label: 'diagnosis',
      image: null,
      source: { package: 'python3-sklearn', version: versions.sk, files: ['sklearn/datasets/data/breast_cancer.csv'] },
      licence: 'BSD-3-Clause (scikit-learn); data from the UCI Machine Learning Repository',
      citation: BREAST_CITATION,
      notes: 'Column names as in sklearn.datasets.load_breast_cancer (spaces → underscores). Classes sort as ["benign", "malignant"]: malignant ↦ +1.',
    },
    files: [{ role: 'all', name: 'breast-cancer.csv', text: breastCancerCsv(src.breast) }],
  });
  outputs.push({
    entry: {
      id: 'digits-8x8',
      title: 'Handwritten digits 8×8',
      description: '1797 handwritten digits as 8×8 images with intensities 0–16; 10 classes (one-vs-all). One file: split it for a test accuracy.',
      label: 'digit',
      image: { width: 8, height: 8 },
      source: { package: 'python3-sklearn', version: versions.sk, files: ['sklearn/datasets/data/digits.csv.gz'] },
      licence: 'BSD-3-Clause (scikit-learn); data from the UCI Machine Learning Repository',
      citation: DIGITS_CITATION,
      notes: 'Same rows as sklearn.datasets.load_digits. Columns pixel_ROW_COL.',
    },
    files: [{ role: 'all', name: 'digits-8x8.csv', text: digitsCsv(src.digits) }],
  });
  outputs.push({
    entry: {
      id: 'penguins',
      title: 'Palmer penguins',
      description: '342 penguins with bill length/depth, flipper length and body mass; species Adelie, Chinstrap or Gentoo. One file: split it for a test accuracy.',
      label: 'species',
      image: null,
      source: { package: 'r-cran-palmerpenguins', version: versions.pg, files: ['palmerpenguins/extdata/penguins.csv'] },
      licence: 'CC0-1.0 (Horst, Hill, Gorman)',
      citation: PENGUINS_CITATION,
      notes: 'The 2 rows without measurements were dropped; island, sex and year were left out.',
    },
    files: [{ role: 'all', name: 'penguins.csv', text: penguinsCsv(src.penguins) }],
  });

  const manifest: ManifestEntry[] = [];
  for (const o of outputs) {
    const described = o.files.map((f) => describe(f.role, f.name, f.text, o.entry.label));
    const classes = described[0].classes;
    for (const dsc of described) {
      if (dsc.d !== described[0].d || dsc.classes.join('\n') !== classes.join('\n')) throw new Error(`${o.entry.id}: files disagree on columns or classes`);
    }
    manifest.push({
      ...o.entry,
      files: described.map((x) => x.file),
      n: described.reduce((s, x) => s + x.file.rows, 0),
      d: described[0].d,
      classes,
    });
  }
  const indexText = JSON.stringify({ version: 1, generator: 'scripts/make-datasets.ts', datasets: manifest }, null, 2) + '\n';
  const licences = licensesMd();
  const all = [...outputs.flatMap((o) => o.files.map((f) => ({ name: f.name, text: f.text }))), { name: 'index.json', text: indexText }, { name: 'LICENSES.md', text: licences }];
  const total = all.reduce((s, f) => s + Buffer.byteLength(f.text), 0);
  if (total > MAX_TOTAL_BYTES) throw new Error(`the datasets would take ${total} bytes, more than the ${MAX_TOTAL_BYTES} allowed in public/datasets; use smaller subsets`);
  for (const f of all) writeAtomic(join(OUT_DIR, f.name), f.text);
  const stray = readdirSync(OUT_DIR).filter((f) => !all.some((a) => a.name === f));
  for (const f of all) process.stdout.write(`${f.name.padEnd(40)} ${String(statSync(join(OUT_DIR, f.name)).size).padStart(9)} bytes  ${sha256(f.text)}\n`);
  process.stdout.write(`total ${total} bytes in ${OUT_DIR}\n`);
  if (stray.length > 0) process.stdout.write(`note: other files in the folder (not written by this script): ${stray.join(', ')}\n`);
}

try {
  main();
} catch (e) {
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`make-datasets: ${msg}\n`);
  process.exit(1);
}
