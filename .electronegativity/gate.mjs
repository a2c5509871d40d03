// The gate's logic, separate from running the tool so it is tested directly: read electronegativity's
// CSV, read the justified findings, and say which findings have no justification.

/** Parses the tool's CSV (quoted fields, doubled quotes) into rows of trimmed fields. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(field.trim()), (field = ''));
    else if (c === '\n') (row.push(field.trim()), rows.push(row), (row = []), (field = ''));
    else if (c !== '\r') field += c;
  }
  if (field !== '' || row.length) (row.push(field.trim()), rows.push(row));
  return rows.filter((r) => r.length > 1);
}

/** Findings from the CSV: { check, severity, file, location, sample }. */
export function findingsFromCsv(text) {
  const [header = [], ...rows] = parseCsv(text);
  const col = (name) => header.indexOf(name);
  // A report that does not start with the tool's header is cut or garbled: fail rather than misread it.
  const missing = ['issue', 'severity', 'filename', 'location', 'sample'].filter((name) => col(name) < 0);
  if (missing.length) throw new Error(`electronegativity report has no ${missing.join(', ')} column: garbled`);
  return rows.map((x) => ({
    check: x[col('issue')],
    severity: x[col('severity')],
    file: x[col('filename')],
    location: x[col('location')],
    sample: x[col('sample')] ?? '',
  }));
}

/** Justified findings: markdown table rows `| CHECK | file | code contains | why |`. */
export function readJustified(markdown) {
  return markdown
    .split('\n')
    .filter((l) => /^\|\s*[A-Z_]+\s*\|/.test(l))
    .map((l) =>
      l
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim().replace(/^`|`$/g, '')),
    )
    .map(([check, file, sample, why]) => ({ check, file, sample, why }));
}

/** Splits findings into unjustified ones and reports justifications that matched nothing. */
export function gate(findings, justified) {
  const used = new Set();
  const bad = findings.filter((f) => {
    const j = justified.findIndex(
      (a) => a.check === f.check && a.file === f.file && (a.sample === '*' || f.sample.includes(a.sample)),
    );
    if (j >= 0) used.add(j);
    return j < 0 || !justified[j].why;
  });
  return { bad, unused: justified.filter((_, i) => !used.has(i)) };
}
