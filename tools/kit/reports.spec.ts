import { conformanceHtml, conformanceJunit, escapeXml, junitXml, replayHtml, replayJunit } from './reports';
import { checkConformance } from './conformance-rules';
import { compareAnswer, skipped, summarise, ReplayReport } from './replay-compare';
import { faultAnswer, LOOKUP, session } from './test-sessions';

describe('reports', () => {
  it('given markup and the characters XML 1.0 cannot hold, when escaped, then well-formed text', () => {
    expect(escapeXml(`a<b>&"c"'d'`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;');
    expect(escapeXml('bell\u0007 nul\u0000 tab\t nl\n')).toBe('bell\uFFFD nul\uFFFD tab\t nl\n');
    expect(escapeXml('lone \uD800 pair \uD83D\uDE00 \uFFFF')).toBe('lone \uFFFD pair \uD83D\uDE00 \uFFFD');
    expect(escapeXml('Nguyễn Văn An')).toBe('Nguyễn Văn An');
  });

  it('given cases, then JUnit XML with counts, a failure and a skip, escaped', () => {
    const xml = junitXml({
      name: 'suite <1>',
      timestamp: '2026-11-23T03:00:00',
      timeS: 1.5,
      cases: [
        { name: 'ok', classname: 'c' },
        { name: 'bad & worse', classname: 'c', timeS: 0.25, failure: { message: 'status 200 → 503 "x"', type: 'changed', text: 'a < b' } },
        { name: 'skip', classname: 'c', skipped: 'masked' },
      ],
    });
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="suite &lt;1&gt;" tests="3" failures="1" errors="0" skipped="1" time="1.500">/);
    expect(xml).toContain('<testcase name="ok" classname="c" time="0.000"/>');
    expect(xml).toContain('<failure message="status 200 → 503 &quot;x&quot;" type="changed">a &lt; b</failure>');
    expect(xml).toContain('<skipped message="masked"/>');
    expect(xml.trim().endsWith('</testsuites>')).toBe(true);
  });

  const s = session([
    { at: 0, url: `${LOOKUP}/001090000001` },
    { at: 10, url: `${LOOKUP}/001090000002<script>`, ...faultAnswer('Server.ServerProxy.AccessDenied') },
  ]);
  const results = [compareAnswer(s.exchanges[0], { status: 503, headers: [], body: Buffer.from(''), timeMs: 2 }), skipped(s.exchanges[1], 'masked', [])];
  const replay: ReplayReport = {
    kind: 'replay',
    har: 'session.har',
    against: 'http://x',
    startedAt: '2026-11-23T03:00:00.000Z',
    finishedAt: '2026-11-23T03:00:01.000Z',
    options: { keepIds: false, apiKey: true },
    summary: summarise(results),
    results,
  };

  it('given a replay, then one testcase per request, a failure saying what changed, a skip with its reason', () => {
    const xml = replayJunit(replay);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('failures="1"');
    expect(xml).toMatch(/<failure message="status 200 → 503; body shape: body json → empty" type="changed">/);
    expect(xml).toContain('<skipped message="masked"/>');
  });

  it('given a replay, then a self-contained HTML page, the target escaped', () => {
    const html = replayHtml(replay);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|src=/);
    expect(html).toContain('002&lt;script&gt;');
    expect(html).toContain('<td class="changed">changed</td>');
  });

  it('given a conformance report, then one testcase per rule, failures with the findings, skips for rules that did not apply', () => {
    const report = checkConformance(s, { source: 'session.har' });
    const xml = conformanceJunit(report);
    expect(xml.match(/<testcase /g)).toHaveLength(report.rules.length);
    expect(xml).toContain('name="XRD-001 requests valid for the service"');
    expect(xml).toMatch(/<failure message="1 finding\(s\): #2 GET citizen-lookup: /);
    expect(xml).toMatch(/<skipped message="not-checkable: /);
    const html = conformanceHtml(report);
    expect(html).toContain('href="https://docs.x-road.global/Protocols/pr-rest_x-road_message_protocol_for_rest.html#51-describing-services"');
    expect(html).not.toContain('<script>');
  });
});
