/** Column typing and encoding: label and task, one-hot, missing values, split, standardisation, bad values. */
import { describe, expect, it } from 'vitest';
import { profileColumns } from '../../data/columns';
import { applyEncoder, encodeTable } from '../../data/encode';
import { regressionMetrics, fitTargetScale, scaleTarget, unscaleTarget } from '../../data/regression';
import { asyncDataError, dataError, tableOf } from '../support/ingest-helpers';

describe('column typing', () => {
  it('types columns from all rows: numeric, categorical, constant, mostly-missing', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${i},${i % 3 === 0 ? 'red' : 'blue'},7,${i < 20 ? '' : i},${i % 2}`);
    rows[25] = rows[25].replace(/^25,/, '?,'); // a missing token deep in the file keeps the column numeric
    const t = await tableOf(`num,colour,const,sparse,label\n${rows.join('\n')}\n`);
    const p = profileColumns(t);
    expect(p.map((c) => c.type)).toEqual(['numeric', 'categorical', 'constant', 'mostly-missing', 'numeric']);
    expect(p[0]).toMatchObject({ numbers: 29, missing: 1, firstMissing: 27, min: 0, max: 29 });
    expect(p[1]).toMatchObject({ text: 30, distinctText: 2 });
    expect(p[3].missing).toBe(20);
  });

  it('a few text cells in a numeric column are stray text, many make it categorical', async () => {
    const few = Array.from({ length: 20 }, (_, i) => `${i === 7 ? 'abc' : i},${i % 2}`).join('\n');
    const p = profileColumns(await tableOf(`x,label\n${few}\n`))[0];
    expect(p.type).toBe('numeric');
    expect(p.firstText).toEqual({ row: 9, value: 'abc' });
    const many = Array.from({ length: 20 }, (_, i) => `${i % 2 ? 'S' : i},${i % 2}`).join('\n');
    expect(profileColumns(await tableOf(`x,label\n${many}\n`))[0].type).toBe('categorical');
  });
});

describe('encoding', () => {
  const csv = [
    'age,colour,size,label',
    '30,red,S,yes',
    '40,blue,M,no',
    '50,red,L,yes',
    '60,green,M,no',
    '35,blue,S,yes',
    '45,red,L,no',
    '55,green,S,yes',
    '65,blue,M,no',
    '32,red,L,yes',
    '42,green,S,no',
  ].join('\n');

  it('defaults to the last column as label, one-hot encodes categories and standardises on train', async () => {
    const { train, test, report, encoder } = encodeTable(await tableOf(csv), { testFraction: 0.2, seed: 1 });
    expect(report.labelColumn).toBe('label');
    expect(train.task).toBe('classification');
    if (train.task !== 'classification') return;
    expect(train.classNames).toEqual(['no', 'yes']);
    expect(train.featureNames).toEqual(['age', 'colour=blue', 'colour=green', 'colour=red', 'size=L', 'size=M', 'size=S']);
    expect(train.d).toBe(7);
    expect(train.n + (test?.n ?? 0)).toBe(10);
    expect(test?.n).toBe(2);
    // Standardised with the training statistics: every training column has mean 0.
    for (let k = 0; k < train.d; k++) {
      let s = 0;
      for (let j = 0; j < train.n; j++) s += train.X[j * train.d + k];
      expect(Math.abs(s / train.n)).toBeLessThan(1e-12);
    }
    expect(report.standardization.featureNames).toEqual(train.featureNames);
    expect(encoder.features[1]).toMatchObject({ kind: 'one-hot', column: 'colour', levels: ['blue', 'green', 'red'] });
    expect(report.classBalance?.train.reduce((a, b) => a + b, 0)).toBe(train.n);
    expect(report.classBalance?.test).toEqual([1, 1]);
  });

  it('splits stratified and reproducibly by seed', async () => {
    const t = await tableOf(csv);
    const a = encodeTable(t, { seed: 5 });
    const b = encodeTable(t, { seed: 5 });
    const c = encodeTable(t, { seed: 6 });
    expect(Array.from(a.train.X)).toEqual(Array.from(b.train.X));
    expect(Array.from(a.train.X)).not.toEqual(Array.from(c.train.X));
    expect(a.report.classBalance?.test).toEqual([1, 1]);
    expect(encodeTable(t, { testFraction: 0 }).test).toBeNull();
  });

  it('takes another label column and explicit feature columns', async () => {
    const { train, report } = encodeTable(await tableOf(csv), { label: 'colour', features: ['age'], testFraction: 0 });
    expect(train.featureNames).toEqual(['age']);
    if (train.task === 'classification') expect(train.classNames).toEqual(['blue', 'green', 'red']);
    expect(report.columns.find((c) => c.name === 'size')?.reason).toBe('not selected');
  });

  it('drops rows with missing values by default and reports the counts; imputes mean and mode on request', async () => {
    const t = await tableOf('x,c,label\n1,a,p\n,b,q\n3,,p\n5,b,q\n7,a,\n9,b,p\n');
    const dropped = encodeTable(t, { testFraction: 0 });
    expect(dropped.report.rows).toMatchObject({ inTable: 6, droppedMissingLabel: 1, droppedMissingFeature: 2, used: 3 });
    expect(dropped.notices.map((n) => n.message)).toContain('data.csv: 2 rows with missing values were dropped ("x": 1, "c": 1). Choose "impute" to fill them in instead.');
    const imputed = encodeTable(t, { testFraction: 0, missing: 'impute' });
    expect(imputed.report.rows.used).toBe(5);
    // Mean of x over the rows used (1, 3, 5, 9) is 4.5; the mode of c is "b".
    expect(imputed.report.imputed).toEqual([
      { column: 'x', count: 1, value: '4.5' },
      { column: 'c', count: 1, value: 'b' },
    ]);
    expect(imputed.encoder.features[0]).toMatchObject({ kind: 'numeric', fill: 4.5 });
  });

  it('leaves out constant, mostly-missing, ID-like and too-many-category columns with a notice', async () => {
    const rows = Array.from({ length: 60 }, (_, i) => `id${i},k,${i < 40 ? '' : i},cat${i % 55},${i},${i % 2}`);
    const { train, report, notices } = encodeTable(await tableOf(`id,const,sparse,many,x,label\n${rows.join('\n')}\n`), { testFraction: 0 });
    expect(train.featureNames).toEqual(['x']);
    const reason = (name: string) => report.columns.find((c) => c.name === name)?.reason ?? '';
    expect(reason('id')).toContain('every one of its 60 values is different');
    expect(reason('const')).toBe('every row has the same value');
    expect(reason('sparse')).toBe('67% of its values are missing');
    expect(reason('many')).toBe('55 distinct text values, above the one-hot cap of 50');
    expect(notices.find((n) => n.column === 'many')?.message).toBe('data.csv, column "many": left out, 55 distinct text values, above the one-hot cap of 50.');
  });

  it('refuses an explicitly chosen categorical column above the category cap', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `v${i},${i},${i % 2}`);
    const t = await tableOf(`c,x,label\n${rows.join('\n')}\n`);
    const e = dataError(() => encodeTable(t, { features: ['c', 'x'], maxCategories: 10 }));
    expect(e.column).toBe('c');
    expect(e.message).toBe(
      'data.csv, column "c": this categorical column has 12 distinct values, more than the 10 that one-hot encoding allows. Leave the column out, or merge rare values into "other".',
    );
  });

  it('encodes a second file with the fitted encoder (unseen categories become zeros)', async () => {
    const fit = encodeTable(await tableOf(csv), { testFraction: 0 });
    const other = applyEncoder(fit.encoder, await tableOf('label,size,colour,age\nno,M,purple,40\nyes,S,red,30\n'));
    expect(other.n).toBe(2);
    expect(other.featureNames).toEqual(fit.train.featureNames);
    const s = fit.encoder.standardization;
    // colour=purple is unseen: its one-hot columns are all 0 before standardisation.
    for (const k of [1, 2, 3]) expect(other.X[k]).toBeCloseTo((0 - s.mean[k]) / s.std[k], 12);
    if (other.task === 'classification') expect(Array.from(other.labels)).toEqual([0, 1]);
  });
});

describe('labels and tasks', () => {
  it('one class only', async () => {
    const t = await tableOf('x,label\n1,a\n2,a\n3,a\n');
    const e = dataError(() => encodeTable(t));
    expect(e.column).toBe('label');
    expect(e.message).toBe(
      'data.csv, column "label": every row has the same label "a"; classification needs at least 2 classes. Pick the column that holds the classes, or add rows of another class.',
    );
  });

  it('a label column with a thousand classes', async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => `${i % 10},name${i % 1000}`).join('\n');
    const t = await tableOf(`x,name\n${rows}\n`);
    const err = dataError(() => encodeTable(t));
    expect(err.column).toBe('name');
    expect(err.message).toContain('data.csv, column "name": the label column has 1,000 distinct values ("name0", "name1"');
    expect(err.message).toContain('the playground trains at most 100 classes');
    expect(err.message).toContain('Pick another label column, merge rare classes into one, or, if the label is a number, train it as regression.');
    // A thousand numeric values: regression under 'auto', the same message when forced to classify.
    const num = await tableOf(`x,y\n${Array.from({ length: 2000 }, (_, i) => `${i % 10},${i % 1000}`).join('\n')}\n`);
    expect(encodeTable(num).train.task).toBe('regression');
    expect(dataError(() => encodeTable(num, { task: 'classification' })).message).toContain('1,000 distinct values');
  });

  it('many distinct numbers are regression with a real-valued target; few are classes', async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `${i},${(i * 0.5 + 3).toFixed(2)}`).join('\n');
    const { train, test, report, notices } = encodeTable(await tableOf(`x,price\n${rows}\n`), { seed: 2 });
    expect(train.task).toBe('regression');
    if (train.task !== 'regression' || test?.task !== 'regression') throw new Error('expected regression');
    expect(train.n).toBe(80);
    expect(test.n).toBe(20);
    expect([...train.target, ...test.target].sort((a, b) => a - b)[0]).toBe(3);
    expect(report.split.stratified).toBe('target quantile');
    // Stratified by target quantile: the test part spans the range.
    expect(Math.min(...test.target)).toBeLessThan(15);
    expect(Math.max(...test.target)).toBeGreaterThan(40);
    expect(report.targetScale?.std).toBeGreaterThan(0);
    expect(notices.some((n) => n.message.includes('trained as regression'))).toBe(true);
    const few = await tableOf(`x,grade\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 3}`).join('\n')}\n`);
    const cls = encodeTable(few).train;
    expect(cls.task).toBe('classification');
    if (cls.task === 'classification') expect(cls.classNames).toEqual(['0', '1', '2']);
  });

  it('regressionMetrics: MSE and R², and the target scaling round-trips', () => {
    const target = [1, 2, 3, 4];
    expect(regressionMetrics(target, target)).toEqual({ mse: 0, r2: 1, n: 4 });
    const m = regressionMetrics([1.5, 2, 3, 3.5], target);
    expect(m.mse).toBeCloseTo((0.25 + 0 + 0 + 0.25) / 4, 15);
    expect(m.r2).toBeCloseTo(1 - 0.5 / 5, 15);
    expect(regressionMetrics([2.5, 2.5, 2.5, 2.5], target).r2).toBeCloseTo(0, 15);
    expect(regressionMetrics([1, 1], [1, 1]).r2).toBe(1);
    expect(regressionMetrics([0, 1], [1, 1]).r2).toBe(0);
    expect(() => regressionMetrics([1], [1, 2])).toThrow(RangeError);
    const s = fitTargetScale([10, 20, 30]);
    const z = scaleTarget([10, 20, 30], s);
    expect(Array.from(z).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 12);
    expect(Array.from(unscaleTarget(z, s))).toEqual([10, 20, 30].map((v) => expect.closeTo(v, 10)));
    expect(fitTargetScale([5, 5]).std).toBe(1);
  });
});

describe('bad values', () => {
  it('NaN and Inf name the cell, or become missing values on request', async () => {
    const t = await tableOf('a,b,label\n1,2,x\n3,NaN,y\n5,inf,x\n7,8,y\n9,1e400,x\n');
    const err = dataError(() => encodeTable(t));
    expect(err).toMatchObject({ file: 'data.csv', row: 3, column: 'b' });
    expect(err.message).toBe(
      'data.csv, line 3, column "b": value "NaN" is NaN or infinite (2 more such cells in this column). ' +
        'Replace it with a finite number, leave the cell empty to mark it missing, or choose "treat bad values as missing".',
    );
    const lenient = encodeTable(t, { badValues: 'missing', testFraction: 0 });
    expect(lenient.report.rows.droppedMissingFeature).toBe(3);
    expect(lenient.notices.find((n) => n.column === 'b')?.message).toBe('data.csv, column "b": 3 values that are not a finite number (first "NaN" at line 3) are treated as missing.');
    expect(lenient.train.n).toBe(2);
    expect(Array.from(lenient.train.X).every(Number.isFinite)).toBe(true);
  });

  it('text in a numeric column names the value, the line and the share of numbers', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => `${i === 12 ? '12 kg' : i},${i % 2}`).join('\n');
    const t = await tableOf(`x,label\n${rows}\n`);
    const bad = dataError(() => encodeTable(t));
    expect(bad).toMatchObject({ row: 14, column: 'x' });
    expect(bad.message).toBe(
      'data.csv, line 14, column "x": value "12 kg" is not a number, but the column is otherwise numeric (95% numbers). ' +
        'Fix the value, leave the cell empty to mark it missing, or choose "treat bad values as missing".',
    );
  });

  it('NaN labels and text targets are named too', async () => {
    const nanLabel = await tableOf('x,label\n1,0\n2,NaN\n3,1\n');
    expect(dataError(() => encodeTable(nanLabel)).message).toContain('data.csv, line 3, column "label": the label is NaN or infinite');
    const textTarget = await tableOf(`x,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i === 4 ? 'n/a?' : i * 1.5}`).join('\n')}\n`);
    const e = dataError(() => encodeTable(textTarget, { task: 'regression' }));
    expect(e).toMatchObject({ row: 6, column: 'y' });
    expect(e.message).toContain('label "n/a?" is not a number, but a regression target must be numeric');
  });

  it('values at the edge of float64 never put NaN or Inf into X (std underflow and sum overflow)', async () => {
    // Found by the property test: 0 and -5e-324 differ, but their std underflows to 0.
    const tiny = encodeTable(await tableOf('a,b,label\n0,1,x\n-5e-324,2,y\n0,3,x\n-5e-324,4,y\n'), { testFraction: 0 });
    expect(Array.from(tiny.train.X).every(Number.isFinite)).toBe(true);
    const huge = encodeTable(await tableOf('a,label\n1e308,x\n-1e308,y\n1e308,x\n-1e308,y\n'), { testFraction: 0 });
    expect(Array.from(huge.train.X)).toEqual([1, -1, 1, -1]);
  });

  it('an unknown label column lists the columns', async () => {
    const t = await tableOf('Alpha,Beta\n1,x\n2,y\n');
    const err = dataError(() => encodeTable(t, { label: 'beta' }));
    expect(err.message).toBe('data.csv: there is no label column "beta". The columns are: "Alpha", "Beta". Did you mean "Beta"? Names are case-sensitive. Pick one of them.');
  });

  it('a header-only table and a table without usable features', async () => {
    const noFeatures = await tableOf('id,label\n' + Array.from({ length: 30 }, (_, i) => `r${i},${i % 2}`).join('\n'));
    const e = dataError(() => encodeTable(noFeatures));
    expect(e.message).toContain('data.csv: no usable feature columns besides the label "label"; left out: "id" (every one of its 30 values is different');
    await expect(asyncDataError(() => tableOf('a,b\n'))).resolves.toMatchObject({ row: 2 });
  });
});
