import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { ConformanceReport, RuleResult } from './conformance-rules';
import type { ReplayReport, RequestResult } from './replay-compare';

/**
 * Reports for people and for CI: JSON (the whole result), JUnit XML (what CI servers gate on: a
 * failure per changed request or broken rule) and one self-contained HTML page (no script, no link
 * out but the rules' references).
 */

/**
 * Text as XML 1.0 character data or attribute value: the five markup characters escaped, and the
 * characters XML 1.0 cannot hold at all (C0 controls but tab, LF, CR; lone surrogates; U+FFFE, U+FFFF)
 * replaced by U+FFFD, since a CI's parser refuses the whole file for one of them.
 */
export function escapeXml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- the point: the control characters XML 1.0 forbids
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** The same escaping serves HTML text and attributes. */
export const escapeHtml = escapeXml;

export interface JUnitCase {
  name: string;
  classname: string;
  timeS?: number;
  failure?: { message: string; type: string; text: string };
  skipped?: string;
  /** Printed to the CI's log for the case. */
  systemOut?: string;
}

export interface JUnitSuite {
  name: string;
  timestamp: string;
  timeS: number;
  cases: JUnitCase[];
  properties?: Record<string, string>;
}

const attr = (name: string, value: string | number) => ` ${name}="${escapeXml(String(value))}"`;
const secs = (s: number) => (Math.round(s * 1000) / 1000).toFixed(3);

/** A JUnit XML document of one suite (the form Jenkins, GitLab and GitHub test reporters read). */
export function junitXml(suite: JUnitSuite): string {
  const failures = suite.cases.filter((c) => c.failure).length;
  const skipped = suite.cases.filter((c) => !c.failure && c.skipped !== undefined).length;
  const counts = `${attr('tests', suite.cases.length)}${attr('failures', failures)}${attr('errors', 0)}${attr('skipped', skipped)}${attr('time', secs(suite.timeS))}`;
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attr('name', suite.name)}${counts}>`];
  lines.push(`  <testsuite${attr('name', suite.name)}${counts}${attr('timestamp', suite.timestamp)}>`);
  if (suite.properties && Object.keys(suite.properties).length) {
    lines.push('    <properties>');
    for (const [k, v] of Object.entries(suite.properties)) lines.push(`      <property${attr('name', k)}${attr('value', v)}/>`);
    lines.push('    </properties>');
  }
  for (const c of suite.cases) {
    const open = `    <testcase${attr('name', c.name)}${attr('classname', c.classname)}${attr('time', secs(c.timeS ?? 0))}`;
    const body: string[] = [];
    if (c.failure) body.push(`      <failure${attr('message', c.failure.message)}${attr('type', c.failure.type)}>${escapeXml(c.failure.text)}</failure>`);
    else if (c.skipped !== undefined) body.push(`      <skipped${attr('message', c.skipped)}/>`);
    if (c.systemOut) body.push(`      <system-out>${escapeXml(c.systemOut)}</system-out>`);
    lines.push(body.length ? `${open}>\n${body.join('\n')}\n    </testcase>` : `${open}/>`);
  }
  lines.push('  </testsuite>', '</testsuites>', '');
  return lines.join('\n');
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d2329}h1{font-size:1.4rem}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}th{background:#f3f5f7}code{font:12px ui-monospace,monospace;word-break:break-all}
.pass,.kept{color:#116329}.fail,.changed{color:#a40e26;font-weight:600}.skipped,.not-applicable,.not-checkable{color:#6e7781}.summary span{margin-right:1.2rem}
td.detail{font-size:13px}ul{margin:.2rem 0;padding-left:1.2rem}`;

function page(title: string, intro: string, table: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title)}</h1>
${intro}
${table}
</body></html>
`;
}

const list = (items: string[]) => (items.length ? `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>` : '');

// ---- replay ----------------------------------------------------------------------------------------------

const requestName = (r: RequestResult) => `#${r.index} ${r.method} ${r.target.length > 160 ? `${r.target.slice(0, 157)}...` : r.target}`;

export function replayJunit(report: ReplayReport): string {
  const timeS = (Date.parse(report.finishedAt) - Date.parse(report.startedAt)) / 1000;
  return junitXml({
    name: `ndxp replay ${report.har}`,
    timestamp: report.startedAt.slice(0, 19),
    timeS: Number.isFinite(timeS) ? timeS : 0,
    properties: { against: report.against, keepIds: String(report.options.keepIds) },
    cases: report.results.map((r) => ({
      name: requestName(r),
      classname: `replay.${r.service || 'unknown-service'}`,
      timeS: (r.replayed?.timeMs ?? 0) / 1000,
      ...(r.verdict === 'changed' ? { failure: { message: r.changes.join('; '), type: 'changed', text: [...r.changes, ...r.notes].join('\n') } } : {}),
      ...(r.verdict === 'skipped' ? { skipped: r.reason ?? 'skipped' } : {}),
      ...(r.notes.length && r.verdict !== 'changed' ? { systemOut: r.notes.join('\n') } : {}),
    })),
  });
}

export function replayHtml(report: ReplayReport): string {
  const s = report.summary;
  const intro = `<p>Session <code>${escapeHtml(report.har)}</code> replayed against ${escapeHtml(report.against)} from ${escapeHtml(report.startedAt)} to ${escapeHtml(report.finishedAt)}${
    report.options.keepIds ? ', recorded X-Road-Ids kept' : ', fresh X-Road-Ids'
  }.</p>
<p class="summary"><span>${s.requests} requests</span><span class="kept">${s.kept} kept</span><span class="changed">${s.changed} changed</span><span class="skipped">${s.skipped} skipped</span></p>
<p>Kept means the same status, the same fault type (<code>X-Road-Error</code>) and the same body shape (key paths and value types, not values).</p>`;
  const rows = report.results.map((r) => {
    const rec = `${r.recorded.status ?? 'no answer'}${r.recorded.faultType ? ` ${r.recorded.faultType}` : ''}`;
    const now = r.replayed ? `${r.replayed.status ?? 'no answer'}${r.replayed.faultType ? ` ${r.replayed.faultType}` : ''}` : '';
    const detail = r.verdict === 'skipped' ? list([r.reason ?? '', ...r.notes]) : list([...r.changes, ...r.notes]);
    return `<tr><td>${r.index}</td><td><code>${escapeHtml(r.method)} ${escapeHtml(r.target)}</code><br><small>${escapeHtml(r.client)}</small></td><td>${escapeHtml(rec)}</td><td>${escapeHtml(
      now,
    )}</td><td class="${r.verdict}">${r.verdict}</td><td class="detail">${detail}</td></tr>`;
  });
  const table = `<table><thead><tr><th>#</th><th>request</th><th>recorded</th><th>replayed</th><th>verdict</th><th>what changed, notes</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
  return page(`Replay of ${report.har}`, intro, table);
}

// ---- conformance -----------------------------------------------------------------------------------------

const ruleText = (r: RuleResult) =>
  [`${r.id} ${r.title}: ${r.explanation}`, `See ${r.link}`, ...r.findings.map((f) => f.message), ...(r.note ? [`Note: ${r.note}`] : [])].join('\n');

export function conformanceJunit(report: ConformanceReport): string {
  return junitXml({
    name: `ndxp conformance ${report.source}`,
    timestamp: report.generatedAt.slice(0, 19),
    timeS: 0,
    properties: { clients: report.clients.join(', '), exchanges: String(report.exchanges), ...Object.fromEntries(Object.entries(report.settings).map(([k, v]) => [k, String(v)])) },
    cases: report.rules.map((r) => ({
      name: `${r.id} ${r.title}`,
      classname: 'conformance',
      ...(r.status === 'fail'
        ? {
            failure: {
              message: `${r.findings.length} finding(s): ${r.findings
                .slice(0, 3)
                .map((f) => f.message)
                .join('; ')}${r.findings.length > 3 ? '; ...' : ''}`,
              type: r.id,
              text: ruleText(r),
            },
          }
        : {}),
      ...(r.status === 'not-applicable' || r.status === 'not-checkable' ? { skipped: `${r.status}${r.note ? `: ${r.note}` : ''}` } : {}),
      ...(r.status === 'pass' ? { systemOut: ruleText(r) } : {}),
    })),
  });
}

export function conformanceHtml(report: ConformanceReport): string {
  const s = report.summary;
  const intro = `<p>Source <code>${escapeHtml(report.source)}</code>: ${report.exchanges} exchanges of ${escapeHtml(report.clients.join(', ') || 'no client')}, checked ${escapeHtml(report.generatedAt)}.</p>
<p class="summary"><span class="pass">${s.passed} passed</span><span class="fail">${s.failed} failed</span><span class="not-applicable">${s.notApplicable} not applicable</span><span class="not-checkable">${s.notCheckable} not checkable</span></p>
<p>Settings: platform deadline ${report.settings.deadlineMs} ms, storm above ${report.settings.stormRps} failed requests/s, minimum back-off ${report.settings.minBackoffMs} ms, retry window ${report.settings.retryWindowMs / 1000} s.</p>`;
  const rows = report.rules.map(
    (r) =>
      `<tr><td><a href="${escapeHtml(r.link)}">${escapeHtml(r.id)}</a></td><td><b>${escapeHtml(r.title)}</b><br>${escapeHtml(r.explanation)}</td><td class="${r.status}">${r.status}</td><td>${r.checked}</td><td class="detail">${list(
        r.findings.map((f) => f.message),
      )}${r.note ? `<small>${escapeHtml(r.note)}</small>` : ''}</td></tr>`,
  );
  const table = `<table><thead><tr><th>rule</th><th>what it checks</th><th>result</th><th>checked</th><th>offending entries, notes</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
  return page(`Connector conformance: ${report.source}`, intro, table);
}

/** Writes `{name}.json`, `{name}.junit.xml` and `{name}.html` into `dir` (created); returns their paths. */
export function writeReports(dir: string, name: string, files: { json: unknown; junit: string; html: string }): { json: string; junit: string; html: string } {
  mkdirSync(dir, { recursive: true });
  const paths = { json: join(dir, `${name}.json`), junit: join(dir, `${name}.junit.xml`), html: join(dir, `${name}.html`) };
  writeFileSync(paths.json, `${JSON.stringify(files.json, null, 2)}\n`);
  writeFileSync(paths.junit, files.junit);
  writeFileSync(paths.html, files.html);
  return paths;
}
